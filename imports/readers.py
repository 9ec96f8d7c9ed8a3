"""Reading an uploaded spreadsheet safely, one row at a time.

- The kind of file is decided by its bytes, not its name: a zip holding `xl/workbook.xml` is a
  workbook; the old binary .xls, other zips, executables renamed to .xlsx and empty files are
  refused with a message a clerk understands (`FileRefused`).
- A zip bomb is refused before anything is unpacked: the sizes in the zip directory are checked
  against a ceiling and a compression ratio no real workbook reaches.
- Workbooks are read with openpyxl in read_only mode (the sheet XML is streamed, memory stays flat)
  and with `data_only=False`: a formula comes back as its text ("=1+1"), never evaluated.
- CSV files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows saves them.
"""

import codecs
import csv
import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
# A worksheet's XML compresses some 5-20 times; far beyond that is a bomb, not a roster.
MAX_RATIO = 200
DIMENSION = re.compile(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 200_000)


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_MB", 50) * 1024 * 1024


def max_unpacked_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNPACKED_MB", 1024) * 1024 * 1024


class FileRefused(Exception):
    """The file cannot be read as an import at all; the message is for the clerk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The header (column name -> index) and an iterator of (line number, cells) after it."""

    header: dict[str, int]
    header_line: int
    rows: Iterator[tuple[int, list]]
    close: object = None


def normalise_header(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "")
    return text.replace("\n", "").replace("*", "").strip()


def detect_format(path: Path, name: str) -> str:
    """'xlsx' or 'csv' from the file's bytes (the name only tells a CSV from junk)."""
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("文件是空的（0 字节），请检查是否选错了文件。"))
    if size > max_upload_bytes():
        raise FileRefused(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB。请分成几个文件导入。")
            % {"size": size / 1024 / 1024, "limit": max_upload_bytes() // 1024 // 1024}
        )
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(OLE_MAGIC):
        raise FileRefused(
            _("这是旧版 Excel（.xls）文件，系统只接受 .xlsx 或 .csv。请在 Excel 中“另存为” .xlsx 后再上传。")
        )
    if start.startswith(ZIP_MAGIC):
        check_zip(path)
        return "xlsx"
    if name.lower().endswith(".csv"):
        return "csv"
    raise FileRefused(_("无法识别该文件：它不是 Excel（.xlsx）文件，也不是 CSV 文件。请使用下载的导入模板。"))


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("文件已损坏，无法作为 Excel（.xlsx）文件打开。")) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("该压缩文件不是 Excel 工作簿（.xlsx）。请上传 Excel 或 CSV 文件。"))
    unpacked = sum(member.file_size for member in members)
    too_dense = any(
        member.file_size > 10 * 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if unpacked > max_unpacked_bytes() or too_dense:
        raise FileRefused(_("文件解压后的内容异常庞大（可能是“压缩炸弹”），系统拒绝读取。"))


def estimate_rows(path: Path, fmt: str) -> int:
    """About how many data rows the file holds, for the progress bar before the check is done."""
    if fmt == "csv":
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    # The sheet's <dimension ref="A1:U100001"> from the first bytes of its XML: opening the workbook
    # with openpyxl would parse the whole shared-strings table just for this.
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not sheets:
                return 0
            with archive.open(sheets[0]) as member:
                start = member.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError):
        return 0
    match = DIMENSION.search(start)
    return max(int(match[1]) - 1, 0) if match else 0


def cell_text(value) -> str:
    """A cell as the text a clerk sees (numbers without a trailing .0, dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def open_sheet(path: Path, fmt: str, *, required: list[str], known: list[str], sheet_name: str = "") -> Sheet:
    """Open the file and find its header; FileRefused when the columns are wrong."""
    rows = _xlsx_rows(path, sheet_name) if fmt == "xlsx" else _csv_rows(path)
    header_line, header = 0, {}
    wanted = set(known)
    # The header is the first row naming one of our columns; a title row above it (“某某镇儿童花名册”)
    # is skipped. Without such a row in the first 20, the first non-empty row is taken, to say what is wrong.
    for line, cells in rows:
        names = [normalise_header(cell) for cell in cells]
        if not any(names):
            continue
        if not header_line:
            header_line, first = line, names
        if wanted & set(names):
            header_line, first = line, names
            break
        if line >= 20:
            break
    if header_line:
        for index, name in enumerate(first):
            if not name:
                continue
            if name in header:
                raise FileRefused(_("表头中“%(c)s”出现了两次，请删除重复的列。") % {"c": name})
            header[name] = index
    if not header:
        raise FileRefused(_("文件中没有数据（找不到表头行）。"))
    missing = [name for name in required if name not in header]
    if missing:
        found = [name for name in header if name]
        if not set(found) & set(known):
            raise FileRefused(
                _("表头不对：找不到“%(m)s”等列。请使用本页下载的导入模板，第一行应为：%(h)s。")
                % {"m": "、".join(missing), "h": "、".join(known)}
            )
        raise FileRefused(_("表头缺少必需的列：%(m)s。") % {"m": "、".join(missing)})
    return Sheet(header=header, header_line=header_line, rows=_limited(rows))


def _limited(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    limit = max_rows()
    count = 0
    for line, cells in rows:
        if not any(cell not in (None, "") and str(cell).strip() for cell in cells):
            continue  # blank line
        count += 1
        if count > limit:
            raise FileRefused(_("数据超过 %(n)s 行的上限，请分成几个文件导入。") % {"n": f"{limit:,}"})
        yield line, cells


def _xlsx_rows(path: Path, sheet_name: str) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a malformed package
        raise FileRefused(_("无法读取该 Excel 文件，文件可能已损坏。请在 Excel 中打开后重新保存再上传。")) from None
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        try:
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, list(cells)
        except FileRefused:
            raise
        except Exception:
            raise FileRefused(_("读取 Excel 文件时出错，文件可能已损坏。请在 Excel 中打开后重新保存再上传。")) from None
    finally:
        workbook.close()


def csv_encoding(path: Path) -> str:
    """utf-8-sig when the whole file is UTF-8, else gb18030 (a superset of GBK); refuses binary."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if b"\x00" in chunk:
                raise FileRefused(_("该文件不是文本格式的 CSV 文件（含有二进制内容）。"))
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        return "utf-8-sig"
    try:
        with path.open(encoding="gb18030") as handle:
            while handle.read(1 << 20):
                pass
    except UnicodeDecodeError:
        raise FileRefused(_("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”格式后再上传。")) from None
    return "gb18030"


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    encoding = csv_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        try:
            yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        except csv.Error:
            raise FileRefused(_("CSV 文件格式有误（引号不成对或单元格过长），无法读取。")) from None
