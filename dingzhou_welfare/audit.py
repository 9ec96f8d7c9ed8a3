"""One helper for the audit trail, called inside the same transaction as the change.

The trail is a hash chain: each row's hash covers its content and the hash of the row before it
(by id), so `verify_audit` finds the first row changed, removed or slipped in behind the
application. Rows join the chain one transaction at a time: on PostgreSQL under a transaction-level
advisory lock held until commit (SQLite's write transactions are serial anyway), so two clerks
saving at once still make one chain, in id order.
"""

import datetime
import hashlib
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .idnumbers import mask_account, mask_id_number, mask_phone
from .models import AuditEntry

# The audit trail must not become a way around masking: these are kept masked.
MASKED_FIELDS = {
    "id_number": mask_id_number,
    "payee_id_number": mask_id_number,
    "account_number": mask_account,
    "phone": mask_phone,
    "disability_cert_no": mask_id_number,  # the second-generation certificate number embeds the ID number
}


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(instance, fields=None) -> dict:
    """Field label -> displayable value, to diff before and after a change.

    Labels rather than attribute names, so the case file shows the clerk
    "出生日期", not "birth_date".
    """
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("id", "child", "created_at", "updated_at"):
            continue
        value = getattr(instance, field.name)
        if field.choices and value:
            value = getattr(instance, f"get_{field.name}_display")()
        if field.name in MASKED_FIELDS:
            value = MASKED_FIELDS[field.name](value or "")
        values[str(field.verbose_name)] = _plain(value)
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {name: [before.get(name), after.get(name)] for name in after if before.get(name) != after.get(name)}


def log_action(*, actor, action, obj, child=None, summary="", changes=None) -> AuditEntry:
    row = {
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "action": action,
        "object_type": obj._meta.model_name if isinstance(obj, models.Model) else str(obj),
        "object_id": str(obj.pk) if isinstance(obj, models.Model) else "",
        "child_id": child.pk if child is not None else None,
        "summary": summary,
        "changes": changes or {},
    }
    with transaction.atomic(savepoint=False):
        (row,) = chained([row])
        return AuditEntry.objects.create(**row)


# pg_advisory_xact_lock's key for "the end of the audit chain": any number no other code uses.
CHAIN_LOCK = 4_711_202_619


def chained(rows: list[dict]) -> list[dict]:
    """The audit rows (field attnames -> values) made the next links of the chain, for the caller to insert.

    Call it inside the transaction that inserts them, then insert them at once and in this order
    (log_action, and the bulk writers of imports and the demo). The lock taken here is held until
    that transaction ends, so no other transaction can join the chain in between.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit rows join the chain inside the transaction that inserts them")
    previous = _lock_chain_end()
    now = timezone.now()
    linked = []
    for row in rows:
        row = {
            **row,
            "at": row.get("at") or now,
            "action": str(row["action"]),
            "object_type": str(row["object_type"]),
            "object_id": str(row.get("object_id") or ""),
            "summary": str(row.get("summary") or "")[:200],
            # As the database will give it back: dates and Decimals as strings, tuples as lists.
            "changes": json.loads(json.dumps(row.get("changes") or {}, cls=DjangoJSONEncoder)),
            "prev_hash": previous,
        }
        row["hash"] = previous = entry_hash(row)
        linked.append(row)
    return linked


def _lock_chain_end() -> str:
    """Wait for the chain's end, hold it until this transaction ends, and return its hash."""
    q = connection.ops.quote_name
    last = f"SELECT {q('hash')} FROM {q(AuditEntry._meta.db_table)} ORDER BY {q('id')} DESC LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip, two statements: the SELECT takes its snapshot after the lock is granted,
            # so it sees the row committed by the transaction that held the lock before.
            cursor.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK}); {last}")
            cursor.nextset()
        else:
            cursor.execute(last)
        found = cursor.fetchone()
    return found[0] if found else ""


def entry_hash(row: dict) -> str:
    """SHA-256 of the row's content (attnames, as stored) and the previous row's hash."""
    content = [
        row["prev_hash"],
        row["at"].astimezone(datetime.UTC).isoformat(),
        row.get("actor_id"),
        row["action"],
        row["object_type"],
        row.get("object_id") or "",
        row.get("child_id"),
        row.get("summary") or "",
        row.get("changes") or {},
    ]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


HASHED_FIELDS = ("prev_hash", "at", "actor_id", "action", "object_type", "object_id", "child_id", "summary", "changes")


def first_broken_entry() -> tuple[AuditEntry | None, str, int]:
    """(the first row whose link does not hold or None, why, how many rows were checked)."""
    previous = ""
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            return entry, "prev", checked
        if entry.hash != entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS}):
            return entry, "content", checked
        previous = entry.hash
        checked += 1
    return None, "", checked
