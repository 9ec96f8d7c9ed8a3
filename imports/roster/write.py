"""Writing one checked chunk, inside the caller's transaction."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from children import places
from children.listing import children_changed
from children.models import (
    Carer,
    Child,
    Classification,
    PaymentAccount,
    Village,
)
from dingzhou_welfare.audit import chained
from dingzhou_welfare.models import AuditEntry
from subsidies.changes.services import record_history
from subsidies.models import Enrolment

from .. import bulk
from .compare import _kind_start
from .parse import Context, Row


@dataclass
class Written:
    children_created: int = 0
    children_updated: int = 0
    villages_created: int = 0
    carers_written: int = 0
    accounts_written: int = 0
    classifications_created: int = 0
    enrolments_created: int = 0
    touched: list = field(default_factory=list)  # (name, birth_date, township_id) of written children

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "touched"}


def write_chunk(rows: list[Row], *, ctx: Context, actor, written: Written, source: str) -> None:
    """Write the new and changed rows of a checked chunk: COPY/bulk inserts, bulk updates, audit entries."""
    rows = [row for row in rows if row.status in ("new", "changed")]
    if not rows:
        return
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    children_changed()  # the list's kept counts (COPY and bulk updates send no model signals)
    _create_villages(rows, ctx, written)
    for row in rows:
        village = row.child.get("village_id")
        if isinstance(village, str):
            township_id = row.child.get("township_id") or row.existing["township_id"]
            row.child["village_id"] = ctx.villages[(township_id, village)]
            if row.existing is not None and row.existing.get("village_id") != row.child["village_id"]:
                row.child_changes["village_id"] = row.child["village_id"]

    created = [row for row in rows if row.existing is None]
    ids = bulk.insert(Child, [{"no_id_reason": "", **row.child} for row in created])
    pk_of = {id(row): pk for row, pk in zip(created, ids, strict=True)}
    written.children_created += len(created)

    updates: dict[tuple, list[Child]] = {}
    for row in rows:
        if row.existing is not None and row.child_changes:
            child = Child(pk=row.existing["pk"], updated_at=now, **row.child_changes)
            updates.setdefault(tuple(sorted(row.child_changes)), []).append(child)
            written.children_updated += 1
    for names, children in updates.items():
        Child.objects.bulk_update(children, [*names, "updated_at"], batch_size=1000)

    carers_new, carers_changed, accounts_new, accounts_changed = [], {}, [], {}
    demote = []
    classifications, enrolments, audit = [], [], []
    prior = ctx.prior_paid_through
    for row in rows:
        child_id = row.existing["pk"] if row.existing else pk_of[id(row)]
        birth = row.child.get("birth_date") or row.existing["birth_date"]
        township_id = row.child.get("township_id") or row.existing["township_id"]
        written.touched.append((row.child.get("name") or row.existing["name"], birth, township_id))
        if row.carer_changes:
            old = row.existing and row.existing["carer"]
            same_person = old and (
                (row.carer["id_number"] and old["id_number"] == row.carer["id_number"])
                or old["name"] == row.carer["name"]
            )
            if same_person:
                carers_changed.setdefault(tuple(sorted(row.carer_changes)), []).append(
                    Carer(pk=old["pk"], **row.carer_changes)
                )
            else:
                if old:
                    demote.append(old["pk"])
                carers_new.append({"child_id": child_id, "is_guardian": True, "is_primary": True, **row.carer})
        if row.account_changes:
            old = row.existing and row.existing["account"]
            if old:
                accounts_changed.setdefault(tuple(sorted(row.account_changes)), []).append(
                    PaymentAccount(pk=old["pk"], **row.account_changes)
                )
            else:
                accounts_new.append({"child_id": child_id, **row.account})
        start = _kind_start(row, birth, ctx)
        note = (_("导入：%(s)s") % {"s": source})[:200]
        for kind in row.new_kinds:
            classifications.append({"child_id": child_id, "kind": kind, "start_date": start, "note": note})
        for programme in row.new_programmes:
            enrolments.append(
                {
                    "child_id": child_id,
                    "programme_id": programme.pk,
                    "status": Enrolment.Status.CONFIRMED,
                    "applied_on": row.start_month,
                    "evidence": (_("导入：%(s)s 第%(n)d行") % {"s": source, "n": row.line})[:200],
                    "confirmed_by_id": actor_id,
                    "confirmed_at": now,
                    "start_month": row.start_month,
                    "prior_paid_through": prior if row.start_month <= prior else None,
                }
            )
        summary = _("导入新建儿童档案") if row.existing is None else _("导入修改儿童信息")
        audit.append(
            {
                "actor_id": actor_id,
                "action": AuditEntry.Action.CREATE if row.existing is None else AuditEntry.Action.UPDATE,
                "object_type": "child",
                "object_id": str(child_id),
                "child_id": child_id,
                "summary": (summary + _("（%(s)s 第%(n)d行）") % {"s": source, "n": row.line})[:200],
                "changes": {str(column): [old or None, new] for column, old, new in row.changes},
            }
        )
    if demote:
        Carer.objects.filter(pk__in=demote).update(is_primary=False)
    bulk.insert(Carer, carers_new)
    for names, carers in carers_changed.items():
        Carer.objects.bulk_update(carers, list(names), batch_size=1000)
    bulk.insert(PaymentAccount, accounts_new)
    for names, accounts in accounts_changed.items():
        PaymentAccount.objects.bulk_update(accounts, list(names), batch_size=1000)
    bulk.insert(Classification, classifications)
    bulk.insert(Enrolment, enrolments)
    if classifications or enrolments:  # their 增员 for the national change list, in this transaction
        record_history(child_ids={row["child_id"] for row in [*classifications, *enrolments]})
    bulk.insert(AuditEntry, chained(audit))  # last: the chain's end stays locked until the commit
    written.carers_written += len(carers_new) + sum(len(c) for c in carers_changed.values())
    written.accounts_written += len(accounts_new) + sum(len(a) for a in accounts_changed.values())
    written.classifications_created += len(classifications)
    written.enrolments_created += len(enrolments)


def _create_villages(rows: list[Row], ctx: Context, written: Written) -> None:
    wanted = {
        (row.child.get("township_id") or row.existing["township_id"], row.child["village_id"])
        for row in rows
        if isinstance(row.child.get("village_id"), str)
    }
    missing = [key for key in wanted if key not in ctx.villages]
    if not missing:
        return
    Village.objects.bulk_create([Village(township_id=t, name=n) for t, n in missing], ignore_conflicts=True)
    transaction.on_commit(places.forget)
    query = Q()
    for township_id, name in missing:
        query |= Q(township_id=township_id, name=name)
    for pk, township_id, name in Village.objects.filter(query).values_list("pk", "township_id", "name"):
        ctx.villages[(township_id, name)] = pk
        ctx.village_names[pk] = name
    written.villages_created += len(missing)


def refresh_duplicate_flags(touched: list) -> None:
    """children.services' likely-duplicate rule for the written children whose group has a child without ID."""
    from children.services import _refresh_duplicate_flags

    if not touched:
        return
    keys = set(touched)
    without_id = set(Child.objects.filter(id_number="").values_list("name", "birth_date", "township_id").iterator())
    for name, birth_date, township_id in keys & without_id:
        _refresh_duplicate_flags(name, birth_date, township_id)
