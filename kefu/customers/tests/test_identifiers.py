"""Chinese identifiers (GB 11643 resident ID, GB 32100 credit code), unit-code spellings and
ID-number masking: pure functions, no database."""

from datetime import date

import pytest

from kefu.core.masking import mask_id_number
from kefu.customers.codes import asset_code_key
from kefu.customers.identifiers import (
    clean_identifier,
    credit_code_check_char,
    credit_code_problem,
    resident_id_check_char,
    resident_id_problem,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("11010519491231002X", None),
    ("110101199003071233", None),
    ("11010519491231002x", "format"),
    ("1101051949123100", "format"),
    ("11010519491331002X", "birth_date"),
    ("11010518991231002X", "birth_date"),
    ("110101203001011234", "birth_date"),
    ("110105194912310021", "check_digit"),
    ("", "format"),
], ids=["valid_x_case", "valid_digit_case", "lower_x_uncleaned_case", "short_case", "month_13_case",
        "before_1900_case", "future_birth_case", "wrong_check_case", "empty_case"])
def test_resident_id_problem(value, expected):
    assert resident_id_problem(value, today=date(2026, 11, 23)) == expected


def test_resident_id_check_char():
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("11010119900307123") == "3"


@pytest.mark.parametrize(("value", "expected"), [
    ("91350100M000100Y43", None),
    ("91350100M000100Y44", "check_character"),
    ("91350100M000100YI3", "format"),
    ("9135010", "format"),
], ids=["valid_case", "wrong_check_case", "forbidden_letter_case", "short_case"])
def test_credit_code_problem(value, expected):
    assert credit_code_problem(value) == expected
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_clean_identifier():
    assert clean_identifier(" 110105 1949 1231 002x ") == "11010519491231002X"
    assert clean_identifier("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert clean_identifier(None) == ""


@pytest.mark.parametrize(("value", "expected"), [
    ("11010519491231002X", "110***********002X"),
    ("110101199003071234", "110***********1234"),
    ("E12345678", "E12**5678"),
    ("A123456", "*****56"),
    ("1234", "****"),
    ("", ""),
    (None, ""),
], ids=["resident_id_case", "resident_id_digits_case", "passport_case", "seven_case", "four_case", "empty_case",
        "none_case"])
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("3-2-1201", "3-2-1201"),
    ("3栋2单元1201", "3-2-1201"),
    ("3号楼2单元1201室", "3-2-1201"),
    ("３幢２单元１２０１", "3-2-1201"),
    ("3 2 1201", "3-2-1201"),
    ("a-1203", "A-1203"),
    ("A座1203", "A-1203"),
    ("BB100001", "BB100001"),
    ("", ""),
], ids=["dashed_case", "chinese_case", "chinese_room_case", "fullwidth_case", "spaces_case", "lower_case",
        "tower_case", "account_case", "empty_case"])
def test_asset_code_key(value, expected):
    assert asset_code_key(value) == expected
