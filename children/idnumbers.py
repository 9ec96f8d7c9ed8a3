"""The ID-number rules now live on the ground floor (dingzhou_welfare/idnumbers.py).

Kept because migrations name `children.idnumbers.validate_id_number` as a field validator.
"""

from dingzhou_welfare.idnumbers import (
    IdInfo,
    check_agrees_with_id,
    check_char,
    mask_account,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    parse_id_number,
    upgrade_15_digit,
    validate_id_number,
)

__all__ = [
    "IdInfo",
    "check_agrees_with_id",
    "check_char",
    "mask_account",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "parse_id_number",
    "upgrade_15_digit",
    "validate_id_number",
]
