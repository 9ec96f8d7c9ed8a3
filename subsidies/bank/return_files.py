"""Reading a bank's return file (回盘) in a `BankReturnLayout`: an .xlsx workbook, or CSV in UTF-8
(with or without BOM) or GBK. One row at a time, so memory stays flat; every fault is a
`ReturnFileError` in the clerk's words, naming the row and the field."""

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from .return_models import BankPayment, BankReturnLayout

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH = 20  # the header is within the first rows (a title row above it is skipped)
CENT = Decimal("0.01")
DIMENSION = re.compile(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')

# The bank's words for why a payment came back, to the four reasons the bureau acts on.
REASON_WORDS = [
    (BankPayment.Reason.NAME_MISMATCH, ("户名不符", "户名不一致", "户名错误", "姓名不符")),
    (BankPayment.Reason.NO_ACCOUNT, ("账户不存在", "账号不存在", "无此账户", "无此账号", "账号错误")),
    (BankPayment.Reason.CLOSED, ("销户", "已销户", "账户已注销")),
    (BankPayment.Reason.FROZEN, ("冻结", "止付")),
]


class ReturnFileError(ValueError):
    """The file cannot be read as a return at all; the message is for the clerk."""


@dataclass
class ReturnRow:
    line: int  # the row number the clerk sees in Excel or a text editor
    account: str
    amount: Decimal
    reference: str
    name: str
    paid: bool
    reason: str  # a BankPayment.Reason value when not paid
    bank_reason: str


def reason_of(text: str) -> str:
    for reason, words in REASON_WORDS:
        if any(word in text for word in words):
            return reason
    return BankPayment.Reason.OTHER


def _values(text: str) -> set[str]:
    return {v.strip().upper() for v in re.split(r"[,，、;；\s]+", text) if v.strip()}


def _header_name(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "").strip()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def file_kind(path: Path, name: str) -> str:
    """'xlsx' or 'csv' from the file's bytes; an empty or unreadable file is refused."""
    size = path.stat().st_size
    if size == 0:
        raise ReturnFileError(_("文件是空的（0 字节），请检查是否选错了文件。"))
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(OLE_MAGIC):
        raise ReturnFileError(_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    if start.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise ReturnFileError(_("该压缩文件不是 Excel 工作簿（.xlsx）。"))
        except zipfile.BadZipFile:
            raise ReturnFileError(_("文件已损坏，无法作为 Excel（.xlsx）文件打开。")) from None
        return "xlsx"
    if name.lower().endswith((".csv", ".txt")):
        return "csv"
    raise ReturnFileError(_("无法识别该文件：它不是 Excel（.xlsx）文件，也不是 CSV 文件。"))


def estimate_rows(path: Path, kind: str) -> int:
    """About how many data rows, for the progress bar before the file is read."""
    if kind == "csv":
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            with archive.open(sheets[0]) as member:
                start = member.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, IndexError):
        return 0
    match = DIMENSION.search(start)
    return max(int(match[1]) - 1, 0) if match else 0


def csv_encoding(path: Path) -> str:
    """utf-8-sig when the whole file is UTF-8, else GBK (read as GB18030, its superset); else refused."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                if b"\x00" in chunk:
                    raise ReturnFileError(_("该文件不是文本格式的 CSV 文件（含有二进制内容，可能是 UTF-16 编码）。"))
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        with path.open(encoding="gb18030") as handle:
            while handle.read(1 << 20):
                pass
    except UnicodeDecodeError as error:
        raise ReturnFileError(
            _(
                "文件编码无法识别（既不是 UTF-8 也不是 GBK，第 %(pos)d 字节附近），"
                "请在 Excel 中另存为“CSV UTF-8”后再上传。"
            )
            % {"pos": error.start + 1}
        ) from None
    return "gb18030"


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a malformed package
        raise ReturnFileError(_("无法读取该 Excel 文件，文件可能已损坏。")) from None
    try:
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    encoding = csv_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        try:
            yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        except csv.Error:
            raise ReturnFileError(_("CSV 文件格式有误（引号不成对或单元格过长），无法读取。")) from None


def read_return(path: Path, name: str, layout: BankReturnLayout) -> Iterator[ReturnRow | tuple[int, str]]:
    """Each data row as a ReturnRow, or (row, message) for a row that cannot be read. Raises
    ReturnFileError when the file as a whole is unreadable (empty, encoding, header)."""
    kind = file_kind(path, name)
    rows = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)
    wanted = {
        "account": _header_name(layout.account_header),
        "amount": _header_name(layout.amount_header),
        "status": _header_name(layout.status_header),
        "reason": _header_name(layout.reason_header),
        "reference": _header_name(layout.reference_header),
        "name": _header_name(layout.name_header),
    }
    required = ("account", "amount", "status")
    columns: dict[str, int] = {}
    for line, cells in rows:
        names = [_header_name(c) for c in cells]
        if wanted["account"] in names and wanted["amount"] in names:
            columns = {key: names.index(header) for key, header in wanted.items() if header and header in names}
            break
        if line >= HEADER_SEARCH:
            break
    if not columns:
        raise ReturnFileError(
            _("找不到表头行（应含“%(a)s”和“%(m)s”列）。文件可能是空的、格式不对，或编码不对。")
            % {"a": layout.account_header, "m": layout.amount_header}
        )
    if missing := [wanted[k] for k in required if k not in columns]:
        raise ReturnFileError(_("表头缺少必需的列：%(m)s。") % {"m": "、".join(missing)})
    success, failure = _values(layout.success_values), _values(layout.failure_values)
    width = max(columns.values()) + 1
    any_row = False
    for line, cells in rows:
        values = [_cell(c) for c in cells]
        if not any(values):
            continue
        any_row = True
        values += [""] * (width - len(values))
        account = values[columns["account"]].replace(" ", "")
        if not account:
            yield line, _("第%(n)d行“%(f)s”为空。") % {"n": line, "f": layout.account_header}
            continue
        amount = _amount(values[columns["amount"]], layout.amount_in_fen)
        if amount is None:
            yield (
                line,
                _("第%(n)d行“%(f)s”不是有效金额：%(v)s。")
                % {"n": line, "f": layout.amount_header, "v": values[columns["amount"]]},
            )
            continue
        result = values[columns["status"]].upper()
        if result not in success and result not in failure:
            yield (
                line,
                _("第%(n)d行“%(f)s”为“%(v)s”，不是格式中约定的成功（%(s)s）或失败（%(x)s）。")
                % {
                    "n": line,
                    "f": layout.status_header,
                    "v": values[columns["status"]],
                    "s": layout.success_values,
                    "x": layout.failure_values,
                },
            )
            continue
        paid = result in success
        bank_reason = values[columns["reason"]] if "reason" in columns else ""
        yield ReturnRow(
            line=line,
            account=account,
            amount=amount,
            reference=values[columns["reference"]] if "reference" in columns else "",
            name=values[columns["name"]] if "name" in columns else "",
            paid=paid,
            reason="" if paid else reason_of(bank_reason),
            bank_reason="" if paid else (bank_reason[:200] or _("银行未说明原因")),
        )
    if not any_row:
        raise ReturnFileError(_("文件只有表头，没有回盘数据。"))


def _amount(text: str, in_fen: bool) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace("，", "").replace("¥", "").replace("元", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0:
        return None
    if in_fen:
        if value != value.to_integral_value():
            return None
        value = value / 100
    if value != value.quantize(CENT):
        return None
    return value.quantize(CENT)
