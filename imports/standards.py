"""The standards import (保障项目, 月标准（元）, 起始月份) through StandardImportResource."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.results import RowResult

from . import cells
from .readers import FileRefused, open_sheet
from .resources import STANDARD_COLUMNS, StandardImportResource

MAX_STANDARD_ROWS = 5000


@dataclass
class Row:
    line: int
    raw: list
    status: str = ""
    key: str = ""
    label: str = ""
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


STATUS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_INVALID: "invalid",
    RowResult.IMPORT_TYPE_ERROR: "invalid",
}


class Invalid(Exception):
    """The confirmed import found invalid rows: everything is rolled back."""

    def __init__(self, rows):
        super().__init__("invalid rows")
        self.rows = rows


def _dataset(path, fmt) -> tuple[tablib.Dataset, list[Row]]:
    sheet = open_sheet(path, fmt, required=STANDARD_COLUMNS, known=STANDARD_COLUMNS, sheet_name="保障标准")
    dataset = tablib.Dataset(headers=STANDARD_COLUMNS)
    rows = []
    for line, raw in sheet.rows:
        if len(rows) >= MAX_STANDARD_ROWS:
            raise FileRefused(_("保障标准一次最多导入 %(n)d 行。") % {"n": MAX_STANDARD_ROWS})
        values = [raw[sheet.header[c]] if sheet.header[c] < len(raw) else None for c in STANDARD_COLUMNS]
        dataset.append(values)
        rows.append(Row(line=line, raw=raw))
    return dataset, rows


def analyse(path, fmt: str, *, actor, commit: bool = False) -> Iterator[list[Row]]:
    """One chunk with every row. With commit=True the rows are written (the caller holds the transaction)."""
    dataset, rows = _dataset(path, fmt)
    resource = StandardImportResource(actor=actor)
    result = resource.import_data(
        dataset, dry_run=not commit, use_transactions=True, retain_instance_in_row_result=True
    )
    for index, (row, row_result) in enumerate(zip(rows, result.rows, strict=True)):
        row.status = STATUS[row_result.import_type]
        instance = row_result.instance
        if instance is not None and getattr(instance, "programme_id", None):
            row.key = instance.programme.name
            row.label = f"{instance.effective_month:%Y-%m}" if instance.effective_month else ""
        else:
            row.key = cells.cell_text(dataset[index][0])[:100]
        if row_result.validation_error is not None:
            error: ValidationError = row_result.validation_error
            if hasattr(error, "error_dict"):
                for attribute, messages in error.message_dict.items():
                    column = StandardImportResource.COLUMN_OF.get(attribute, "")
                    row.errors += [(column, message) for message in messages]
            else:
                row.errors += [("", message) for message in error.messages]
        for problem in row_result.errors:
            row.errors.append(("", str(problem.error)))
        if row.status == "new":
            row.changes = [["月标准（元）", "", f"{instance.amount:.2f}"]]
        elif row.status == "changed":
            row.changes = [["月标准（元）", f"{row_result.original.amount:.2f}", f"{instance.amount:.2f}"]]
    if commit and any(row.status == "invalid" for row in rows):
        raise Invalid(rows)
    yield rows
