"""What a classification or an enrolment means as change events, as plain dicts, and the backfill
that records them for the history already entered.

The functions here read models passed in (the data migration passes its historical ones), so the
migration, the import and the live hooks build an event the same way.
"""

import datetime

from ..months import add_months, month_start
from .codes import Reason, national_category_code, removal_reason

ADD, REMOVE = "add", "remove"
PAYING = ("confirmed", "suspended", "ended")
CHUNK = 2000
# Stored with the event as data (not translated): the events recorded from the history already entered.
BACKFILL_NOTE = "据已登记的记录补录"


def classification_events(
    *, classification_id: int, child_id: int, kind: str, start: datetime.date, end, end_reason: str, note: str = ""
) -> list[dict]:
    """The 增员 of a category on its start date and, if it ended, its 减员 on the end date."""
    common = {
        "child_id": child_id,
        "classification_id": classification_id,
        "category": kind,
        "national_category_code": national_category_code(kind),
    }
    events = [
        {
            **common,
            "direction": ADD,
            "effective_date": start,
            "month": month_start(start),
            "reason_code": Reason.CLASSIFIED,
            "reason": note,
        }
    ]
    if end is not None:
        events.append(
            {
                **common,
                "direction": REMOVE,
                "effective_date": end,
                "month": month_start(end),
                "reason_code": removal_reason(end_reason),
                "reason": note,
            }
        )
    return events


def held_kind(held: list[tuple], eligible: list[str], day: datetime.date) -> str:
    """The child's category that qualified for the programme on `day` (held: (kind, start, end) rows)."""
    for kind, start, end in sorted(held, key=lambda row: (row[1], row[0])):
        if kind in eligible and start <= day and (end is None or end >= day):
            return kind
    return ""


def enrolment_add_event(
    *, enrolment_id, child_id, programme_id, fund_code, category, start_month, confirmed_on, note=""
) -> dict:
    """Added to a programme, in the return of the first month paid; dated the confirmation, or the
    first month paid when that is earlier (a start by the application month; an imported enrolment,
    "confirmed" when it was imported, paid by the previous system since its start)."""
    return {
        "child_id": child_id,
        "enrolment_id": enrolment_id,
        "programme_id": programme_id,
        "category": category,
        "national_category_code": fund_code or national_category_code(category),
        "direction": ADD,
        "effective_date": min(confirmed_on, start_month) if confirmed_on else start_month,
        "month": start_month,
        "reason_code": Reason.ENROLLED,
        "reason": note,
    }


def enrolment_remove_event(
    *, enrolment_id, child_id, programme_id, fund_code, category, ended_on, end_month, end_reason, note=""
) -> dict:
    """Removed from a programme: dated the event, in the return of the first month no longer paid."""
    return {
        "child_id": child_id,
        "enrolment_id": enrolment_id,
        "programme_id": programme_id,
        "category": category,
        "national_category_code": fund_code or national_category_code(category),
        "direction": REMOVE,
        "effective_date": ended_on,
        "month": add_months(end_month, 1),
        "reason_code": removal_reason(end_reason),
        "reason": note,
    }


def backfill(*, Classification, Enrolment, Programme, ChangeEvent, child_ids=None, note=None) -> int:
    """Record the events of every classification and paying enrolment (of `child_ids`, or all) that
    has none yet. Idempotent: an event already recorded (by a hook or an earlier run) stays as it is.
    Returns how many events were written."""
    note = BACKFILL_NOTE if note is None else note
    written = 0
    classifications = Classification.objects.order_by("pk")
    enrolments = Enrolment.objects.filter(status__in=PAYING, start_month__isnull=False).order_by("pk")
    if child_ids is not None:
        classifications = classifications.filter(child_id__in=child_ids)
        enrolments = enrolments.filter(child_id__in=child_ids)
    fields = ("pk", "child_id", "kind", "start_date", "end_date", "end_reason")
    for chunk in _chunks(classifications.values_list(*fields)):
        rows = []
        for pk, child_id, kind, start, end, end_reason in chunk:
            rows += classification_events(
                classification_id=pk, child_id=child_id, kind=kind, start=start, end=end, end_reason=end_reason,
                note=note,
            )  # fmt: skip
        written += _insert(ChangeEvent, rows, "classification_id")
    programmes = {p.pk: p for p in Programme.objects.all()}
    fields = ("pk", "child_id", "programme_id", "status", "start_month", "confirmed_at", "ended_on", "end_month",
              "end_reason")  # fmt: skip
    for chunk in _chunks(enrolments.values_list(*fields)):
        held: dict[int, list[tuple]] = {}
        for child_id, *row in Classification.objects.filter(child_id__in={r[1] for r in chunk}).values_list(
            "child_id", "kind", "start_date", "end_date"
        ):
            held.setdefault(child_id, []).append(tuple(row))
        rows = []
        for pk, child_id, programme_id, status, start_month, confirmed_at, ended_on, end_month, end_reason in chunk:
            programme = programmes[programme_id]
            eligible = list(programme.eligible_kinds or [])
            common = {"enrolment_id": pk, "child_id": child_id, "programme_id": programme_id,
                      "fund_code": programme.fund_type_code, "note": note}  # fmt: skip
            confirmed_on = confirmed_at.date() if confirmed_at else None
            kind = held_kind(held.get(child_id, []), eligible, confirmed_on or start_month)
            rows.append(
                enrolment_add_event(**common, category=kind, start_month=start_month, confirmed_on=confirmed_on)
            )
            if status == "ended" and end_month is not None:
                ended_on = ended_on or add_months(end_month, 1)
                kind = held_kind(held.get(child_id, []), eligible, ended_on) or kind
                removal = {"ended_on": ended_on, "end_month": end_month, "end_reason": end_reason}
                rows.append(enrolment_remove_event(**common, category=kind, **removal))
        written += _insert(ChangeEvent, rows, "enrolment_id")
    return written


def _chunks(rows):
    chunk = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(ChangeEvent, rows: list[dict], key: str) -> int:
    """Insert the rows whose source (`key`: classification_id or enrolment_id) has no such event yet."""
    if not rows:
        return 0
    done = set(ChangeEvent.objects.filter(**{f"{key}__in": {row[key] for row in rows}}).values_list(key, "direction"))
    new = [ChangeEvent(**row) for row in rows if (row[key], row["direction"]) not in done]
    ChangeEvent.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)
