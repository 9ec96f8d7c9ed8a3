"""The 18-digit citizen ID number (公民身份号码, GB 11643-1999).

One validator for models, forms and imports. Messages are for clerks.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only, as the database's child_id_number_shape


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Full-width digits and Ｘ (typed with a Chinese input method) become ASCII; spaces go; x becomes X."""
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").upper()


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdInfo:
    """Return the birth date and sex an ID number encodes, or raise ValidationError."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位，现在是%(n)d位。") % {"n": len(number)}, code="id_length")
    if not ID_PATTERN.match(number):
        raise ValidationError(_("身份证号前17位应为数字，最后一位为数字或X。"), code="id_chars")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不是有效日期。") % {"d": number[6:14]}, code="id_date"
        ) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不可能（早于1900年或晚于今天）。") % {"d": birth.isoformat()},
            code="id_date",
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误：最后一位应为 %(c)s，请核对号码是否抄错。") % {"c": expected},
            code="id_checksum",
        )
    return IdInfo(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def check_agrees_with_id(info: IdInfo, *, birth_date=None, sex=None) -> dict[str, str]:
    """Field name -> message for each of birth date and sex that disagrees with the ID."""
    errors = {}
    if birth_date and birth_date != info.birth_date:
        errors["birth_date"] = _("出生日期与身份证号不一致：身份证号中为 %(d)s。") % {"d": info.birth_date.isoformat()}
    if sex and sex != info.sex:
        errors["sex"] = _("性别与身份证号不一致：身份证号第17位表示%(s)s。") % {
            "s": _("男") if info.sex == "M" else _("女")
        }
    return errors


def upgrade_15_digit(value: str) -> str:
    """Convert a legacy 15-digit number (GB 11643-1989) to 18 digits."""
    number = normalize_id_number(value)
    if not re.fullmatch(r"\d{15}", number):
        raise ValidationError(_("15位身份证号应全部为数字。"), code="id_chars")
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def mask_id_number(value: str) -> str:
    """1306**********0010: the county prefix and the last four, as in the rosters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_account(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    if not value or len(value) < 7:
        return "*" * len(value or "")
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
