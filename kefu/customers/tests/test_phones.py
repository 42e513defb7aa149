"""Phone normalisation: every spelling of a number maps to one digit string."""

import pytest

from kefu.core.masking import mask_phone
from kefu.customers.phones import normalize_phone, phone_digits_query


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800138000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"),
    ("0086 13800138000", "13800138000"),
    ("86 138 0013 8000", "13800138000"),
    ("(138) 0013.8000", "13800138000"),
    ("021-12345678", "02112345678"),
    ("+86 21 1234 5678", "02112345678"),
    ("400-810-8888", "4008108888"),
    ("+1 415 555 2671", "+14155552671"),
    ("+852 2123 4567", "+85221234567"),
    ("", ""),
    ("无", ""),
    (None, ""),
], ids=["plain_case", "plus86_dashes_case", "0086_case", "86_spaces_case", "punctuation_case", "landline_case",
        "landline_plus86_case", "hotline_400_case", "us_case", "hong_kong_case", "empty_case", "no_digits_case",
        "none_case"])
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("+86 138-0013-8000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("0086138", "138"),
    ("138 0013", "1380013"),
    ("8000", "8000"),
    ("86123", "86123"),
], ids=["plus86_case", "86_prefix_13_digits_case", "0086_prefix_case", "partial_case", "tail_case",
        "short_86_kept_case"])
def test_phone_digits_query(raw, expected):
    assert phone_digits_query(raw) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("13800138000", "138****8000"),
    ("02112345678", "021****5678"),
    ("+14155552671", "+14*****2671"),
    ("1234567", "1****67"),
    ("1234", "****"),
    ("", ""),
    (None, ""),
], ids=["mobile_case", "landline_case", "foreign_case", "seven_digits_case", "four_digits_case", "empty_case",
        "none_case"])
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected
