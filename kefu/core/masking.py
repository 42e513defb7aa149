"""Masking of personal data for roles that need not see it (PIPL: access on need)."""


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
