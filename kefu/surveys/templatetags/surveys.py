"""Template helpers of the survey pages: rates as percentages, lookups by question field name."""

from django import template

register = template.Library()


@register.filter
def pct(rate, places: int = 1) -> str:
    """0.9333 → 93.3% (rates are fractions 0–1 everywhere in this app); None → —."""
    if rate is None or rate == "":
        return "—"
    return f"{float(rate) * 100:.{int(places)}f}%"


@register.filter
def get(mapping, key):
    if not mapping:
        return ""
    if hasattr(mapping, "getlist") and isinstance(key, str):
        values = mapping.getlist(key)
        return values if len(values) > 1 else (values[0] if values else "")
    if key in mapping:
        return mapping[key]
    return mapping.get(str(key), "")


@register.filter
def as_str_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


@register.filter
def first_error(errors, key) -> str:
    messages = (errors or {}).get(key) or []
    return messages[0] if messages else ""
