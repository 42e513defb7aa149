"""ID-number masking used until (and delegating to) `kefu.core.masking.mask_id_number`."""

from kefu.core import masking


def mask_id(value: str | None) -> str:
    """110***********1234: first three and last four characters kept."""
    core = getattr(masking, "mask_id_number", None)
    if core is not None:
        return core(value)
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_number_for(user, value: str | None) -> str:
    return (value or "") if masking.may_view_personal_data(user) else mask_id(value)
