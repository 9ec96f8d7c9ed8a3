"""A month's change list in a layout: the rows (one per event, the layout's fields) and the workbook.

The layout is data (`ChangeListLayout` and its columns, kept in the admin); the default one,
"national", follows DOMAIN.md 5.2 and 6.1. The rows stream from a server-side cursor in chunks, so a
month of any size is written at flat memory (xlsxwriter's constant_memory mode).
"""

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Carer, ClassificationKind
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.spreadsheets import neutralise, write_xlsx

from .codes import Reason
from .models import ChangeEvent, ChangeListColumn, ChangeListLayout

Field = ChangeListColumn.Field
DEFAULT_LAYOUT = "national"
CHUNK_SIZE = 2000
WIDTHS = {Field.SEQ: 6, Field.ID_NUMBER: 21, Field.REASON: 30, Field.PROGRAMME: 24, Field.CATEGORY: 20}
KIND_LABELS = dict(ClassificationKind.choices)
REASON_LABELS = dict(Reason.choices)
RELATIONSHIP_LABELS = dict(Carer.Relationship.choices)


class ChangeListError(ValueError):
    """A layout that cannot write a list; the message is for the clerk."""


def get_layout(code: str | None = None) -> ChangeListLayout:
    """The active layout of that code (default: the national one, else the first active one)."""
    layouts = ChangeListLayout.objects.filter(active=True)
    layout = layouts.filter(code=code or DEFAULT_LAYOUT).first()
    if layout is None and code is None:
        layout = layouts.first()
    if layout is None:
        known = "、".join(layouts.values_list("code", flat=True)) or _("无")
        raise ChangeListError(
            _("没有启用的增减员名单格式“%(code)s”；可用：%(known)s") % {"code": code or DEFAULT_LAYOUT, "known": known}
        )
    return layout


def columns_of(layout: ChangeListLayout) -> list[tuple[str, str]]:
    """(field, header) of each column, in order; a blank header takes the field's name."""
    columns = [(c.field, c.header or str(c.get_field_display())) for c in layout.columns.order_by("position")]
    if not columns:
        raise ChangeListError(_("增减员名单格式“%(code)s”还没有列。") % {"code": layout.code})
    return columns


def file_name(layout: ChangeListLayout, month: datetime.date) -> str:
    try:
        name = layout.file_name_pattern.format(month=f"{month:%Y%m}", code=layout.code)
    except (KeyError, IndexError, ValueError):
        name = f"{month:%Y%m}_{layout.code}.xlsx"
    name = name.replace("/", "_").replace("\\", "_")
    return name if name.endswith(".xlsx") else f"{name}.xlsx"


def with_people(events):
    """The events with what a row shows: the child, its places, the programme, the guardian."""
    guardians = Carer.objects.order_by("-is_guardian", "-is_primary", "id")
    return events.select_related("child__township", "child__village", "programme").prefetch_related(
        Prefetch("child__carers", queryset=guardians, to_attr="guardians")
    )


def event_rows(events, *, masked: bool) -> Iterator[dict]:
    """One dict per event, keyed by every field a layout may hold; `events` is already scoped."""
    for seq, event in enumerate(with_people(events).iterator(chunk_size=CHUNK_SIZE), start=1):
        yield event_row(event, seq=seq, masked=masked)


def event_row(event: ChangeEvent, *, seq: int, masked: bool) -> dict:
    """An event (read `with_people`) as the fields a layout may hold, and the event itself."""
    child = event.child
    guardian = child.guardians[0] if child.guardians else None
    return {
        Field.SEQ: seq,
        Field.DIRECTION: str(event.get_direction_display()),
        Field.EFFECTIVE_DATE: event.effective_date.isoformat(),
        Field.MONTH: f"{event.month:%Y-%m}",
        Field.NATIONAL_CODE: event.national_category_code,
        Field.CATEGORY: str(KIND_LABELS.get(event.category, event.category)),
        Field.PROGRAMME: event.programme.name if event.programme else "",
        Field.ID_NUMBER: mask_id_number(child.id_number) if masked else child.id_number,
        Field.NAME: child.name,
        Field.SEX: str(child.get_sex_display()),
        Field.BIRTH_DATE: child.birth_date.isoformat(),
        Field.TOWNSHIP_CODE: child.township.code,
        Field.TOWNSHIP: child.township.name,
        Field.VILLAGE: child.village.name if child.village else "",
        Field.GUARDIAN: guardian.name if guardian else "",
        Field.GUARDIAN_RELATIONSHIP: str(RELATIONSHIP_LABELS.get(guardian.relationship, "")) if guardian else "",
        Field.REASON_CODE: event.reason_code,
        Field.REASON_LABEL: str(REASON_LABELS.get(event.reason_code, event.reason_code)),
        Field.REASON: event.reason,
        Field.RECORDED_AT: f"{timezone.localtime(event.recorded_at):%Y-%m-%d %H:%M}",
        "event": event,
    }


def _sheet_rows(columns, rows: Iterable[dict]):
    yield "header", [header for _field, header in columns]
    for row in rows:
        yield "line", [row[field] if field == Field.SEQ else neutralise(row[field] or "") for field, _h in columns]


def write_change_list(out, *, layout: ChangeListLayout, events, masked: bool) -> int:
    """Write the events (scoped, in the list's order) as the layout's workbook to `out` (a path or a
    binary file); returns the number of rows."""
    columns = columns_of(layout)
    widths = [WIDTHS.get(field, 14) for field, _h in columns]
    return write_xlsx(
        _sheet_rows(columns, event_rows(events, masked=masked)), out, widths=widths, sheet_name=layout.sheet_title
    )
