"""Checks of Chinese identifiers: resident ID numbers (GB 11643), unified social credit codes
(GB 32100) and mobile numbers. Pure functions; the services turn a failure into a 400 naming
the field."""

import re
from datetime import UTC, date, datetime

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")

# GB 32100 leaves out I, O, Z, S and V so the code cannot be misread.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")

_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＹ",
                           "0123456789XXABCDEFGHJKLMNPQRTUWY")


def clean_identifier(value: str | None) -> str:
    """Upper case, full-width digits made ASCII, spaces and dashes dropped (as people type them)."""
    return re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH)).upper()


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(value: str, *, today: date | None = None) -> str | None:
    """Why `value` (already cleaned) is not a valid 18-digit resident ID number, or None.

    Returns one of "format", "birth_date", "check_digit".
    """
    if not _ID_FORMAT.match(value or ""):
        return "format"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > (today or datetime.now(tz=UTC).date()):
        return "birth_date"
    if resident_id_check_char(value[:17]) != value[17]:
        return "check_digit"
    return None


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why `value` (already cleaned) is not a valid unified social credit code, or None
    ("format" or "check_character")."""
    if not _USCC_FORMAT.match(value or ""):
        return "format"
    if credit_code_check_char(value[:17]) != value[17]:
        return "check_character"
    return None


def is_cn_mobile_shape(number: str) -> bool:
    """An 11-digit national number starting with 1 is meant as a mobile: it must be one."""
    return len(number) == 11 and number.startswith("1")


def is_valid_cn_mobile(number: str) -> bool:
    return bool(_MOBILE.match(number))
