"""Formatting of report figures: rates as percentages, deltas against a comparison period."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(rate) -> str:
    """0.8523 → "85.2%"; no rate (nothing counted) → "—"."""
    if rate is None or rate == "":
        return "—"
    return f"{rate * 100:.1f}%"


@register.filter
def get(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def minutes(value) -> str:
    """Business minutes → "45 min" or, from an hour on, "1.5 h"."""
    if value is None:
        return "—"
    value = float(value)
    if value < 60:
        return _("%(n)s min") % {"n": f"{value:.0f}"}
    return _("%(n)s h") % {"n": f"{value / 60:.1f}"}
