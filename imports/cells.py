"""Turning cells into values, with the reason in words a clerk understands when a cell is wrong.

Every parser takes the raw cell (text from a CSV, or str/int/float/datetime from openpyxl) and
returns the value or raises `CellError`. Shared by the children and the standards import.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .readers import cell_text

DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value, *, max_length: int | None = None) -> str:
    result = cell_text(value)
    if max_length is not None and len(result) > max_length:
        raise CellError(_("内容过长：最多 %(n)d 个字，现在是 %(m)d 个字。") % {"n": max_length, "m": len(result)})
    return result


def number_text(value, *, what: str) -> str:
    """A long number kept as text (ID, account). A number cell of 16+ digits has lost its last digits."""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and value >= 10**15):
        raise CellError(_("%(w)s被 Excel 存成了数字，后几位已丢失。请把这一列设为“文本”格式后重新填写。") % {"w": what})
    return cell_text(value).replace(" ", "").replace("\u3000", "")


def date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = cell_text(value)
    match = DATE_PATTERN.match(raw) or COMPACT_DATE.match(raw)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        raise CellError(_("“%(v)s”不是有效日期（该月没有这一天）。") % {"v": raw})
    raise CellError(_("“%(v)s”不是日期，应写成 2015-03-14 这样的格式。") % {"v": raw})


def month(value) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        return day.replace(day=1)
    raw = cell_text(value)
    match = MONTH_PATTERN.match(raw)
    if match and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    raise CellError(_("“%(v)s”不是月份，应写成 YYYY-MM，例如 2024-01。") % {"v": raw})


def money(value) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    raw = cell_text(value).replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CellError(_("“%(v)s”不是金额，应为数字，例如 1000 或 1450.00。") % {"v": raw}) from None
    if not amount.is_finite():
        raise CellError(_("“%(v)s”不是金额。") % {"v": raw})
    if amount < 0:
        raise CellError(_("金额不能为负数。"))
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("金额最多两位小数（到分）。"))
    if amount >= Decimal("100000000"):
        raise CellError(_("金额过大。"))
    return amount.quantize(Decimal("0.01"))


def split_list(value) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(cell_text(value)) if part]
