"""A person's name as the registry keeps it: one validator for the child form, the roster import and the API.

A name is text a clerk reads aloud, never something a spreadsheet or a browser could run: it may not
start like a formula (= + - @, or a tab that some programs skip before one), may hold no control
character or angle bracket, is at most MAX_LENGTH characters, and has at least one Chinese character
or Latin letter. Minority names keep their middle dot (阿依古丽·买买提).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 30
FORMULA_STARTS = ("=", "+", "-", "@", "\t")
ANGLE_BRACKETS = set("<>＜＞")
# The CJK unified ideographs and their extensions A to H, and the compatibility block.
CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in CJK_RANGES)


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and "LATIN" in unicodedata.name(ch, "")


def clean_name(value: str) -> str:
    """The name without surrounding spaces; a leading tab is kept for the check to refuse, trailing blanks go."""
    return (value or "").lstrip(" \u3000").rstrip()


def validate_name(value: str) -> None:
    """Raise ValidationError with a clerk's message when `value` is not a person's name."""
    if value.startswith(FORMULA_STARTS):
        shown = _("制表符") if value[0] == "\t" else value[0]
        raise ValidationError(
            _("姓名不能以“%(c)s”开头（= + - @ 和制表符开头会被表格软件当作公式）。") % {"c": shown},
            code="name_formula",
        )
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise ValidationError(_("姓名中不能有控制字符（如换行、制表符）。"), code="name_control")
    if any(ch in ANGLE_BRACKETS for ch in value):
        raise ValidationError(_("姓名中不能有尖括号（小于号、大于号）。"), code="name_brackets")
    if len(value) > MAX_LENGTH:
        raise ValidationError(
            _("姓名最多 %(n)d 个字，现在是 %(m)d 个字。") % {"n": MAX_LENGTH, "m": len(value)}, code="name_length"
        )
    if not any(_is_cjk(ch) or _is_latin_letter(ch) for ch in value):
        raise ValidationError(_("姓名中应有汉字或拉丁字母。"), code="name_letters")
