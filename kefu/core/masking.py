"""Masking of personal data for roles that need not see it (PIPL: access on need)."""

from typing import Any


def mask_phone(value: str | None) -> str:
    """138****8000: keep the first three and last four digits of a mobile number."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def may_view_personal_data(user: Any) -> bool:
    """Roles with the `customers.view_personal_data` permission (and superusers) see phone and
    ID numbers in full; everyone else sees them masked."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("customers.view_personal_data")))


def phone_for(user: Any, value: str | None) -> str:
    return (value or "") if may_view_personal_data(user) else mask_phone(value)


def mask_id_number(value: str | None) -> str:
    """110***********1234: keep the first three and last four characters of an ID number (the
    region and the tail agents ask for); shorter numbers keep only their last two."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return "*" * (len(value) - 2) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_number_for(user: Any, value: str | None) -> str:
    return (value or "") if may_view_personal_data(user) else mask_id_number(value)
