"""Phone normalisation: every spelling of a number maps to one searchable digit string."""

import re

import phonenumbers

_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(raw: str) -> str:
    """'+86 138-0013-8000', '0086 13800138000', '138 0013 8000' → '13800138000'.

    Chinese numbers are stored in national form (mobile 11 digits, landline with area code,
    e.g. '02112345678'); foreign numbers keep their country code with a leading '+'.
    Returns '' when there are no digits at all.
    """
    raw = (raw or "").strip()
    if not _NON_DIGITS.sub("", raw):
        return ""
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return _NON_DIGITS.sub("", raw)
    if parsed.country_code == 86:
        national = phonenumbers.national_significant_number(parsed)
        # Landlines are dialled with a trunk '0' inside China (021-…); mobiles are not.
        if not national.startswith("1") and not national.startswith("400") and not national.startswith("800"):
            return "0" + national
        return national
    return "+" + str(parsed.country_code) + phonenumbers.national_significant_number(parsed)


def phone_digits_query(raw: str) -> str:
    """Digits typed into a lookup box, with a country prefix (+86/0086/86 on 13 digits) removed."""
    digits = _NON_DIGITS.sub("", raw or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits
