"""Formatting of report figures: rates as percentages, deltas against a comparison period, and the
ⓘ link of a figure to its definition."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
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


@register.simple_tag
def definition_link(key: str):
    """The ⓘ beside a figure: its definition in words as the tooltip, a link to the figure on the
    definitions page (formula, numerator, denominator)."""
    from kefu.reports.metrics import DEFINITIONS

    text = str(DEFINITIONS.get(key, "")) or _("Definition")
    return format_html('<a class="kefu-definition text-body-secondary text-decoration-none" href="{}#def-{}" '
                       'title="{}" aria-label="{}" data-definition="{}"><i class="bi bi-info-circle" '
                       'aria-hidden="true"></i></a>', reverse("reports:definitions"), key, text,
                       _("Definition: %(text)s") % {"text": text}, key)
