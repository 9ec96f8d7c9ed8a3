"""One helper for the audit trail, called inside the same transaction as the change."""

import datetime
from decimal import Decimal

from django.db import models

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
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name if isinstance(obj, models.Model) else str(obj),
        object_id=str(obj.pk) if isinstance(obj, models.Model) else "",
        child=child,
        summary=summary[:200],
        changes=changes or {},
    )
