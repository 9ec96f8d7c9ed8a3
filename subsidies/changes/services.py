"""Recording a change (增员/减员) where a classification or an enrolment begins or ends.

Each function runs inside the transaction of the write that makes the change: the registry's
services fire `children.hooks` (CLASSIFICATION_ADDED, CLASSIFICATION_ENDED) and the enrolment
services call `enrolment_added` / `enrolment_removed` themselves, so the event commits or rolls
back with it. A source row (a classification, an enrolment) has one 增员 and at most one 减员:
recording it again corrects the event (an ending moved earlier) and records it anew (recorded_at).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Classification
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from ..models import Enrolment, Programme
from ..months import add_months
from . import history
from .models import ChangeEvent, events_for_month


@transaction.atomic
def record_change(
    *,
    child,
    direction: str,
    effective_date: datetime.date,
    reason_code: str,
    reason: str = "",
    category: str = "",
    national_category_code: str = "",
    programme: Programme | None = None,
    month: datetime.date | None = None,
    classification: Classification | None = None,
    enrolment: Enrolment | None = None,
) -> ChangeEvent:
    """Record one change. With a source (classification or enrolment) it is recorded once per
    direction: a second call updates the event and moves its recorded_at to now."""
    if direction not in ChangeEvent.Direction.values:
        raise ValueError(f"unknown direction {direction!r}")
    values = {
        "child": child,
        "effective_date": effective_date,
        "month": (month or effective_date).replace(day=1),
        "reason_code": reason_code,
        "reason": reason,
        "category": category,
        "national_category_code": national_category_code,
        "programme": programme,
        "recorded_at": timezone.now(),
    }
    if classification is None and enrolment is None:
        return ChangeEvent.objects.create(direction=direction, **values)
    source = {"classification": classification} if classification is not None else {"enrolment": enrolment}
    event, _created = ChangeEvent.objects.update_or_create(direction=direction, **source, defaults=values)
    return event


def _record(row: dict) -> ChangeEvent:
    """Record an event built by `history` (a dict of attnames)."""
    return record_change(
        child=row["child"],
        direction=row["direction"],
        effective_date=row["effective_date"],
        month=row["month"],
        reason_code=row["reason_code"],
        reason=row.get("reason", ""),
        category=row["category"],
        national_category_code=row["national_category_code"],
        programme=row.get("programme"),
        classification=row.get("classification"),
        enrolment=row.get("enrolment"),
    )


def classification_added(*, actor, classification: Classification) -> ChangeEvent:
    """children.hooks.CLASSIFICATION_ADDED: the child joins the category (增员)."""
    (add,) = history.classification_events(
        classification_id=classification.pk,
        child_id=classification.child_id,
        kind=classification.kind,
        start=classification.start_date,
        end=None,
        end_reason="",
        note=classification.note,
    )
    return _record({**add, "child": classification.child, "classification": classification})


def classification_ended(*, actor, classification: Classification) -> ChangeEvent:
    """children.hooks.CLASSIFICATION_ENDED: the child leaves the category (减员)."""
    _add, remove = history.classification_events(
        classification_id=classification.pk,
        child_id=classification.child_id,
        kind=classification.kind,
        start=classification.start_date,
        end=classification.end_date,
        end_reason=classification.end_reason,
        note=classification.note,
    )
    return _record({**remove, "child": classification.child, "classification": classification})


def _held(child_id: int) -> list[tuple]:
    return list(Classification.objects.filter(child_id=child_id).values_list("kind", "start_date", "end_date"))


def enrolment_added(*, enrolment: Enrolment, confirmed_on: datetime.date | None = None) -> ChangeEvent:
    """A confirmed enrolment: the child joins the programme (增员) from its first month paid."""
    programme = enrolment.programme
    confirmed_on = confirmed_on or (timezone.localdate(enrolment.confirmed_at) if enrolment.confirmed_at else None)
    row = history.enrolment_add_event(
        enrolment_id=enrolment.pk,
        child_id=enrolment.child_id,
        programme_id=programme.pk,
        fund_code=programme.fund_type_code,
        category=history.held_kind(
            _held(enrolment.child_id), list(programme.eligible_kinds), confirmed_on or enrolment.start_month
        ),
        start_month=enrolment.start_month,
        confirmed_on=confirmed_on,
    )
    return _record({**row, "child": enrolment.child, "programme": programme, "enrolment": enrolment})


def enrolment_removed(*, enrolment: Enrolment) -> ChangeEvent:
    """An ended enrolment (or its ending moved earlier): the child leaves the programme (减员)."""
    programme = enrolment.programme
    row = history.enrolment_remove_event(
        enrolment_id=enrolment.pk,
        child_id=enrolment.child_id,
        programme_id=programme.pk,
        fund_code=programme.fund_type_code,
        category=history.held_kind(_held(enrolment.child_id), list(programme.eligible_kinds), enrolment.ended_on),
        ended_on=enrolment.ended_on,
        end_month=enrolment.end_month,
        end_reason=enrolment.end_reason,
        note=enrolment.end_note,
    )
    return _record({**row, "child": enrolment.child, "programme": programme, "enrolment": enrolment})


def record_history(*, child_ids=None) -> int:
    """Record the events of the classifications and enrolments entered without them (an import's
    bulk insert, demo data); those already recorded stay. Returns how many were written."""
    return history.backfill(
        Classification=Classification,
        Enrolment=Enrolment,
        Programme=Programme,
        ChangeEvent=ChangeEvent,
        child_ids=child_ids,
    )


def connect() -> None:
    from children import hooks

    hooks.register(hooks.CLASSIFICATION_ADDED, classification_added)
    hooks.register(hooks.CLASSIFICATION_ENDED, classification_ended)


def change_list_events(*, actor, month: datetime.date):
    """The month's events the user may see (their townships), in the list's order."""
    from dingzhou_welfare.access import scope

    return scope(events_for_month(month), actor)


def late_events(*, actor, month: datetime.date):
    """The events recorded during `month` that belong to an earlier month (entered late, 补报): the
    month's list does not hold them, and the list already sent for their month did not either."""
    from dingzhou_welfare.access import scope

    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(add_months(month, 1), datetime.time.min, tzinfo=tz)
    events = ChangeEvent.objects.filter(recorded_at__gte=start, recorded_at__lt=end, month__lt=month)
    return scope(events, actor).order_by("month", "direction", "child__township__code", "effective_date", "id")


@transaction.atomic
def export_change_list(*, actor, month: datetime.date, layout, out, masked: bool) -> int:
    """Write the month's change list (scoped to `actor`) in `layout` to `out` and audit it as an export
    of personal data. Full ID numbers only for a role that may see them. Returns the number of rows."""
    from dingzhou_welfare.access import can_reveal

    from .layouts import write_change_list

    if not masked and not can_reveal(actor):
        raise PermissionDenied(_("您的角色不能导出完整身份证号。"))
    rows = write_change_list(out, layout=layout, events=change_list_events(actor=actor, month=month), masked=masked)
    log_action(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        obj=layout,
        summary=_("导出%(m)s增减员名单（%(l)s，%(how)s，%(n)d条）")
        % {
            "m": f"{month:%Y-%m}",
            "l": layout.name,
            "how": _("身份证号已脱敏") if masked else _("含完整身份证号"),
            "n": rows,
        },
        changes={"month": f"{month:%Y-%m}", "layout": layout.code, "masked": masked, "rows": rows},
    )
    return rows
