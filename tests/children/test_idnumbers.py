import datetime

import pytest
from django.core.exceptions import ValidationError

from dingzhou_welfare.idnumbers import (
    check_agrees_with_id,
    mask_account,
    mask_id_number,
    parse_id_number,
    upgrade_15_digit,
)

TODAY = datetime.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "F"),
        ("11010519491231002x", datetime.date(1949, 12, 31), "F"),
        ("440524188001010014", datetime.date(1880, 1, 1), "M"),
        ("34052419800101001X", datetime.date(1980, 1, 1), "M"),
        ("130682201501010010", datetime.date(2015, 1, 1), "M"),
        ("130682201006150024", datetime.date(2010, 6, 15), "F"),
    ],
)
def test_published_samples_parse(number, birth, sex):
    if birth.year < 1900:
        with pytest.raises(ValidationError, match="不可能"):
            parse_id_number(number, today=TODAY)
        return
    info = parse_id_number(number, today=TODAY)
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.number == number.upper()


def test_bad_checksum_names_the_expected_character():
    with pytest.raises(ValidationError) as error:
        parse_id_number("130682201501010011", today=TODAY)
    assert error.value.code == "id_checksum"
    assert "应为 0" in error.value.messages[0]


@pytest.mark.parametrize("number", ["130682201502300015", "130682201513010012", "130682201500000019"])
def test_impossible_date(number):
    with pytest.raises(ValidationError) as error:
        parse_id_number(number, today=TODAY)
    assert error.value.code == "id_date"


def test_future_birth_date_is_impossible():
    with pytest.raises(ValidationError) as error:
        parse_id_number("13068220301010001X", today=TODAY)
    assert error.value.code == "id_date"


@pytest.mark.parametrize(("number", "code"), [("13068220150101001", "id_length"), ("1306822015010100AX", "id_chars")])
def test_shape(number, code):
    with pytest.raises(ValidationError) as error:
        parse_id_number(number, today=TODAY)
    assert error.value.code == code


def test_sex_and_birth_date_must_agree():
    info = parse_id_number("130682201501010010", today=TODAY)
    assert check_agrees_with_id(info, birth_date=datetime.date(2015, 1, 1), sex="M") == {}
    errors = check_agrees_with_id(info, birth_date=datetime.date(2015, 1, 2), sex="F")
    assert "2015-01-01" in errors["birth_date"]
    assert "男" in errors["sex"]


def test_upgrade_15_digit():
    assert upgrade_15_digit("340524800101001") == "34052419800101001X"


def test_masks():
    assert mask_id_number("130682201501010010") == "1306**********0010"
    assert mask_account("6217000012345678") == "************5678"
