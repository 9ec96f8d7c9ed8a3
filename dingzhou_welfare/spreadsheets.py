"""Spreadsheet writers for exports: rows in, a streamed .xlsx or .csv out (STYLE.md point 9).

An export is a generator of `(kind, cells)` rows: "title", "note", "header", "line",
"subtotal", "total", "blank", "signature". The writers style each kind (bold header with
borders, shaded subtotals and totals, money with two decimals) and never hold more than a row:

- `write_xlsx` uses xlsxwriter in constant_memory mode (each row goes to disk when the next
  starts, so rows must come in order);
- `write_csv` writes UTF-8 with a BOM, so Excel opens Chinese text correctly.

Cells: `str` is written as text (never a formula, whatever it starts with; `neutralise` adds
the apostrophe as well, for programs that read the text back), `Decimal` as a number with two
decimals, `int` as a centred number, `Merge` across columns.
"""

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

# A cell starting with one of these is run as a formula by Excel or LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Merge:
    """A cell spanning `span` columns (titles, grouped headers)."""

    text: str
    span: int


Row = tuple[str, list]


@dataclass(frozen=True)
class Sheet:
    """A further worksheet of a workbook: its name, tagged rows and column widths."""

    name: str
    rows: Iterable[Row]
    widths: list[int]
    portrait: bool = False


def write_xlsx(
    rows: Iterable[Row],
    out,
    *,
    widths: list[int],
    sheet_name: str,
    portrait: bool = False,
    more_sheets: Iterable[Sheet] = (),
) -> int:
    """Write tagged rows to an .xlsx file path or binary file object; returns the number of "line" rows
    of the first sheet.

    constant_memory mode: each row goes to disk as soon as the next one starts, so the rows
    must come in order and memory does not grow with their number; `more_sheets` are written
    after the first, each in full.
    """
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": "宋体", "font_size": 10},
        },
    )
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    grid = {**base, "border": 1}

    def fmt(**extra):
        return workbook.add_format(extra)

    def cell_formats(style: dict, **extra):
        """Text, money (two decimals) and whole-number formats of one row kind."""
        style = {**style, **extra}
        return fmt(**style), fmt(**style, num_format="0.00"), fmt(**{**style, "align": "center"})

    subtotal = {**grid, "bold": True, "bg_color": "#F2F2F2"}
    formats = {
        "title": cell_formats(base, bold=True, font_size=16, align="center"),
        "note": cell_formats(base, align="left"),
        "header": cell_formats(grid, bold=True, align="center", text_wrap=True, bg_color="#DDEBF7"),
        "line": cell_formats(grid),
        "subtotal": cell_formats(subtotal),
        "total": cell_formats(subtotal, bg_color="#E2EFDA"),
        "signature": cell_formats(base, bold=True),
    }
    lines = _write_sheet(workbook, formats, rows, widths=widths, name=sheet_name, portrait=portrait)
    for sheet in more_sheets:
        _write_sheet(workbook, formats, sheet.rows, widths=sheet.widths, name=sheet.name, portrait=sheet.portrait)
    workbook.close()
    return lines


def _write_sheet(workbook, formats, rows: Iterable[Row], *, widths: list[int], name: str, portrait: bool) -> int:
    sheet = workbook.add_worksheet(name[:31])
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    if portrait:
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C" + _("第 &P 页，共 &N 页"))

    write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
    lines = 0
    first_header = None
    r = 0
    for kind, cells in rows:
        if kind == "blank":
            r += 1
            continue
        text_format, money_format, int_format = formats[kind]
        bordered = kind in ("line", "subtotal", "total", "header")
        if kind == "title":
            sheet.set_row(r, 30)
        elif kind == "signature":
            sheet.set_row(r, 36)
        elif kind == "header":
            first_header = r if first_header is None else first_header
            sheet.set_row(r, 30)
        elif kind == "line":
            lines += 1
        col = 0
        for value in cells:
            kind_of = type(value)
            if kind_of is str:
                if value:
                    write_string(r, col, value, text_format)
                elif bordered:
                    write_blank(r, col, None, text_format)
            elif kind_of is Decimal:
                write_number(r, col, float(value), money_format)
            elif kind_of is int:
                write_number(r, col, value, int_format)
            elif kind_of is Merge:
                sheet.merge_range(r, col, r, col + value.span - 1, value.text, text_format)
                col += value.span
                continue
            elif value is None:
                if bordered:
                    write_blank(r, col, None, text_format)
            else:
                write_string(r, col, str(value), text_format)
            col += 1
        if kind == "header":
            sheet.freeze_panes(r + 1, 0)
            sheet.repeat_rows(first_header, r)
        r += 1
    return lines


def write_csv(rows: Iterable[Row], out) -> int:
    """Write tagged rows as CSV (UTF-8 with BOM) to a path or binary file object, header first.

    The title and note rows are left out, so the first row is the column header; the
    subtotals, total and signature rows follow the lines as in the workbook.
    """
    own = isinstance(out, str | os.PathLike)
    binary = open(out, "wb") if own else out  # noqa: SIM115  (closed below)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    lines = 0
    try:
        for kind, cells in rows:
            if kind in ("title", "note"):
                continue
            if kind == "line":
                lines += 1
            flat = []
            for value in cells:
                kind_of = type(value)
                if kind_of is str:
                    flat.append(value)
                elif kind_of is Decimal:
                    flat.append(f"{value:.2f}")
                elif kind_of is Merge:
                    flat += [value.text, *[""] * (value.span - 1)]
                else:
                    flat.append("" if value is None else str(value))
            writer.writerow(flat)
        text.flush()
    finally:
        text.detach()
        if own:
            binary.close()
    return lines
