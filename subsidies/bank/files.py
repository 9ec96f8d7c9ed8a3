"""The bank payment file's contents: the layout's checks, the payments and the writers (DESIGN.md 3.2).

The layout is data (`BankLayout` and its columns): which field each column holds, the file type
(xlsx, CSV in UTF-8 or GBK, fixed-width text), a header and a total line, the file name. A payment is
one child's lines to one account, netted (an adjustment deducts from the month's amount); payments
without an account, or netting to nothing, are left out and listed on the job.

- `payments` streams the batch's lines (a server-side cursor) into payments; `write_bank_file` writes
  them row by row, so memory stays flat however long the batch.
- The same batch and layout always give the same bytes: no clock inside (the workbook's dates are
  the batch month's), rows in a fixed order. The file is kept with its sha256.
- `run_bank_file_job` is the job (dingzhou_welfare/jobs); its success marks the batch 已送银行 and is
  audited as an export of personal data. Each download is audited by the view.
"""

import csv
import datetime
import io
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _

from dingzhou_welfare.spreadsheets import neutralise

from ..models import Batch, Line
from .models import BankLayout, BankLayoutColumn

Field = BankLayoutColumn.Field
ZERO = Decimal("0.00")
CHUNK_SIZE = 2000
PROGRESS_EVERY = 5000
LEFT_OUT_KEPT = 1000  # the left-out payments listed on the job (all are counted)
SENDABLE = (Batch.Status.APPROVED, Batch.Status.EXPORTED, Batch.Status.SENT_TO_BANK)
TOTAL_FIELDS = {"count", "total", "month", "batch"}
NAME_FIELDS = {"month", "batch", "code", "ext"}
EXTENSIONS = {BankLayout.FileType.XLSX: "xlsx", BankLayout.FileType.CSV: "csv", BankLayout.FileType.FIXED: "txt"}


class BankFileError(ValueError):
    """A batch, layout or line that cannot go into a bank file; the message is for the clerk."""


# ---------------------------------------------------------------------------------------------
# The layout


def pattern_errors(pattern: str, allowed: set[str]) -> list[str]:
    """What is wrong with a `{name}` pattern: unknown names, attribute or index look-ups, bad braces."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return [_("格式中的花括号不成对：%(p)s") % {"p": pattern}]
    errors = []
    for _text, name, _spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or conversion:
            errors.append(
                _("不能使用 {%(name)s}，可用：%(allowed)s")
                % {"name": name, "allowed": "、".join("{" + a + "}" for a in sorted(allowed))}
            )
    return errors


def layout_errors(layout: BankLayout, columns: list[BankLayoutColumn]) -> list[str]:
    """Everything that keeps a layout from writing a file, in the clerk's words."""
    errors = pattern_errors(layout.file_name_pattern, NAME_FIELDS)
    if layout.total_line != BankLayout.TotalLine.NONE:
        errors += pattern_errors(layout.total_format, TOTAL_FIELDS)
    if not columns:
        errors.append(_("格式“%(code)s”还没有列。") % {"code": layout.code})
    if not any(c.field == Field.ACCOUNT for c in columns):
        errors.append(_("格式“%(code)s”没有银行账号列。") % {"code": layout.code})
    if layout.file_type == BankLayout.FileType.FIXED:
        for column in columns:
            where = {"n": column.position, "f": column.get_field_display()}
            if not column.width:
                errors.append(_("定长文本的第%(n)d列（%(f)s）没有宽度。") % where)
            if len((column.padding or " ").encode(layout.encoding, errors="replace")) != 1:
                errors.append(_("定长文本的第%(n)d列（%(f)s）的填充字符应为一个半角字符。") % where)
    if layout.file_type == BankLayout.FileType.CSV and len(layout.delimiter) != 1:
        errors.append(_("CSV 格式需要一个分隔符。"))
    return errors


def columns_of(layout: BankLayout) -> list[BankLayoutColumn]:
    columns = list(layout.columns.order_by("position"))
    if errors := layout_errors(layout, columns):
        raise BankFileError(" ".join(errors))
    return columns


def file_name(layout: BankLayout, batch: Batch) -> str:
    name = layout.file_name_pattern.format(
        month=f"{batch.month:%Y%m}", batch=batch.number, code=layout.code, ext=EXTENSIONS[layout.file_type]
    )
    return Path(name).name or f"{batch.month:%Y%m}.{EXTENSIONS[layout.file_type]}"


# ---------------------------------------------------------------------------------------------
# Payments: a batch's lines, one child to one account, in a fixed order


@dataclass
class Payment:
    seq: int
    account: str
    payee_name: str
    payee_id: str
    bank_name: str
    child_name: str
    township: str
    first: datetime.date
    last: datetime.date
    amount: Decimal
    lines: int
    child_id: int = 0
    township_id: int = 0
    reference: str = ""

    def period(self) -> str:
        if self.first == self.last:
            return f"{self.first:%Y-%m}"
        return _("%(a)s至%(b)s") % {"a": f"{self.first:%Y-%m}", "b": f"{self.last:%Y-%m}"}

    def remark(self) -> str:
        return f"{self.child_name} {self.period()}"

    def left_out(self, reason: str) -> dict:
        return {
            "child": self.child_name,
            "township": self.township,
            "payee": self.payee_name,
            "amount": f"{self.amount:.2f}",
            "period": self.period(),
            "reason": reason,
        }


ORDER = ("township__code", "township_id", "child_id", "account_number", "payee_name", "payee_id_number", "period", "id")
VALUES = (
    "child_id",
    "township_id",
    "child__name",
    "township__name",
    "account_number",
    "payee_name",
    "payee_id_number",
    "bank_name",
    "period",
    "amount",
)


def payments(batch: Batch, *, progress: Callable[[int], None] | None = None) -> Iterator[tuple[str, Payment]]:
    """("pay", payment) for each payment to send, ("left_out", payment) for each left out; streamed."""
    rows = Line.objects.filter(batch_id=batch.pk).order_by(*ORDER).values(*VALUES).iterator(chunk_size=CHUNK_SIZE)
    current: Payment | None = None
    key = None
    done = 0
    for row in rows:
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        this = (row["child_id"], row["account_number"], row["payee_name"], row["payee_id_number"])
        if this == key:
            current.amount += row["amount"]
            current.first = min(current.first, row["period"])
            current.last = max(current.last, row["period"])
            current.lines += 1
            continue
        if current is not None:
            yield _settle(current)
        key = this
        current = Payment(
            seq=0,
            account=row["account_number"].strip(),
            payee_name=row["payee_name"],
            payee_id=row["payee_id_number"],
            bank_name=row["bank_name"],
            child_name=row["child__name"],
            township=row["township__name"],
            first=row["period"],
            last=row["period"],
            amount=row["amount"],
            lines=1,
            child_id=row["child_id"],
            township_id=row["township_id"],
        )
    if current is not None:
        yield _settle(current)
    if progress is not None:
        progress(done)


def _settle(payment: Payment) -> tuple[str, Payment]:
    return ("pay" if payment.account and payment.amount > 0 else "left_out"), payment


def reference(batch: Batch, seq: int) -> str:
    """The payment's reference (业务参考号): the batch number and the payment's place in the file, which
    the same batch always gives the same payment. The bank's return names it back."""
    return f"{batch.number}-{seq:06d}"


def sendable_payments(batch: Batch, *, progress: Callable[[int], None] | None = None) -> Iterator[Payment]:
    """The payments a bank file of `batch` holds, numbered and referenced as the file numbers them."""
    seq = 0
    for what, payment in payments(batch, progress=progress):
        if what == "pay":
            seq += 1
            payment.seq, payment.reference = seq, reference(batch, seq)
            yield payment


def left_out_reason(payment: Payment) -> str:
    return _("无银行账号") if not payment.account else _("合计金额不为正数")


# ---------------------------------------------------------------------------------------------
# Cells and writers


def cell(field: str, payment: Payment):
    """A column's value: text, a Decimal amount, or an int."""
    match field:
        case Field.SEQ:
            return payment.seq
        case Field.ACCOUNT:
            return payment.account
        case Field.PAYEE_NAME:
            return payment.payee_name
        case Field.PAYEE_ID:
            return payment.payee_id
        case Field.AMOUNT:
            return payment.amount
        case Field.AMOUNT_FEN:
            return int(payment.amount * 100)
        case Field.REMARK:
            return payment.remark()
        case Field.CHILD_NAME:
            return payment.child_name
        case Field.PERIOD:
            return payment.period()
        case Field.BANK_NAME:
            return payment.bank_name
        case Field.TOWNSHIP:
            return payment.township
        case Field.REFERENCE:
            return payment.reference
    raise BankFileError(_("未知的列内容：%(f)s") % {"f": field})


def text(value) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


@dataclass
class Written:
    rows: int = 0
    amount: Decimal = ZERO
    left_out_count: int = 0
    left_out: list | None = None


def total_text(layout: BankLayout, batch: Batch, count: int, total: Decimal) -> str:
    return layout.total_format.format(
        count=count, total=f"{total:.2f}", month=f"{batch.month:%Y%m}", batch=batch.number
    )


def _totals(batch: Batch) -> tuple[int, Decimal]:
    """The count and sum of the payments to send (a first pass, for a total line that comes first)."""
    count, total = 0, ZERO
    for what, payment in payments(batch):
        if what == "pay":
            count += 1
            total += payment.amount
    return count, total


def write_bank_file(*, batch: Batch, layout: BankLayout, out, progress: Callable[[int], None] | None = None) -> Written:
    """Write the batch's payment file in `layout` to `out` (a binary file); what was written and left out.

    Raises BankFileError (naming the payment) for a value the layout cannot hold: too wide for its
    column, or a character the file's encoding lacks."""
    columns = columns_of(layout)
    written = Written(left_out=[])
    first_total = None
    if layout.total_line == BankLayout.TotalLine.FIRST:
        first_total = total_text(layout, batch, *_totals(batch))

    def sendable() -> Iterator[Payment]:
        for what, payment in payments(batch, progress=progress):
            if what == "left_out":
                written.left_out_count += 1
                if len(written.left_out) < LEFT_OUT_KEPT:
                    written.left_out.append(payment.left_out(left_out_reason(payment)))
                continue
            written.rows += 1
            written.amount += payment.amount
            payment.seq = written.rows
            payment.reference = reference(batch, payment.seq)
            yield payment

    def last_total() -> str | None:
        if layout.total_line == BankLayout.TotalLine.LAST:
            return total_text(layout, batch, written.rows, written.amount)
        return None

    if layout.file_type == BankLayout.FileType.XLSX:
        _write_xlsx(batch, layout, columns, sendable(), out, first_total, last_total)
    else:
        _write_text(layout, columns, sendable(), out, first_total, last_total)
    return written


def _write_xlsx(batch, layout, columns, rows, out, first_total, last_total) -> None:
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    # The workbook's own dates are the batch month's, so the same batch gives the same bytes.
    fixed = datetime.datetime(batch.month.year, batch.month.month, 1, tzinfo=datetime.UTC)
    workbook.set_properties({"title": layout.name, "created": fixed, "company": settings.BUREAU_NAME})
    sheet = workbook.add_worksheet(_("代发明细"))
    money = workbook.add_format({"num_format": "0.00"})
    textual = workbook.add_format({"num_format": "@"})
    for i, column in enumerate(columns):
        sheet.set_column(i, i, column.width or 16)
    r = 0
    if first_total is not None:
        sheet.write_string(r, 0, first_total)
        r += 1
    if layout.header_line:
        for i, column in enumerate(columns):
            sheet.write_string(r, i, column.header or column.get_field_display())
        r += 1
    for payment in rows:
        for i, column in enumerate(columns):
            value = cell(column.field, payment)
            if isinstance(value, Decimal):
                sheet.write_number(r, i, value, money)
            elif isinstance(value, int):
                sheet.write_number(r, i, value)
            else:
                sheet.write_string(r, i, neutralise(value), textual)
        r += 1
    if (total := last_total()) is not None:
        sheet.write_string(r, 0, total)
    workbook.close()


def _fixed(payment: Payment, column: BankLayoutColumn, value: str, encoding: str) -> bytes:
    data = _encode(payment, column, value, encoding)
    if len(data) > column.width:
        if column.field != Field.REMARK:
            raise BankFileError(
                _("第%(n)d笔（%(child)s）的“%(f)s”为 %(v)s，超过该列宽度 %(w)d 字节。")
                % {
                    "n": payment.seq,
                    "child": payment.child_name,
                    "f": column.get_field_display(),
                    "v": value,
                    "w": column.width,
                }
            )
        while len(data) > column.width:  # a remark is cut to its column, never mid-character
            value = value[:-1]
            data = value.encode(encoding)
    pad = (column.padding or " ").encode(encoding)
    fill = pad * (column.width - len(data))
    return fill + data if column.align == BankLayoutColumn.Align.RIGHT else data + fill


def _encode(payment: Payment, column: BankLayoutColumn, value: str, encoding: str) -> bytes:
    try:
        return value.encode(encoding)
    except UnicodeEncodeError as error:
        raise BankFileError(
            _("第%(n)d笔（%(child)s）的“%(f)s”含有 %(enc)s 编码无法表示的字符“%(c)s”，请改用 UTF-8 格式或更正该字段。")
            % {
                "n": payment.seq,
                "child": payment.child_name,
                "f": column.get_field_display(),
                "enc": encoding.upper(),
                "c": value[error.start : error.end],
            }
        ) from None


def _write_text(layout, columns, rows, out, first_total, last_total) -> None:
    encoding = layout.encoding
    newline = b"\r\n" if layout.line_ending == "crlf" else b"\n"
    fixed = layout.file_type == BankLayout.FileType.FIXED
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter or ",", lineterminator="")

    def csv_line(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    def plain(line: str) -> bytes:
        try:
            return line.encode(encoding) + newline
        except UnicodeEncodeError:
            raise BankFileError(
                _("表头或合计行含有 %(enc)s 编码无法表示的字符。") % {"enc": encoding.upper()}
            ) from None

    if first_total is not None:
        out.write(plain(first_total))
    if layout.header_line:
        headers = [c.header or str(c.get_field_display()) for c in columns]
        if fixed:
            out.write(
                b"".join(_fixed(_HEADER, c, h, encoding) for c, h in zip(columns, headers, strict=True)) + newline
            )
        else:
            out.write(plain(csv_line(headers)))
    for payment in rows:
        if fixed:
            out.write(b"".join(_fixed(payment, c, text(cell(c.field, payment)), encoding) for c in columns) + newline)
        else:
            values = [neutralise(text(cell(c.field, payment))) for c in columns]
            line = csv_line(values)
            try:
                out.write(line.encode(encoding) + newline)
            except UnicodeEncodeError:
                for column in columns:  # name the field that holds the character
                    _encode(payment, column, text(cell(column.field, payment)), encoding)
                raise
    if (total := last_total()) is not None:
        out.write(plain(total))


_HEADER = Payment(0, "", "", "", "", _("表头"), "", datetime.date.min, datetime.date.min, ZERO, 0)
