"""Template helpers of the KPI pages."""

from django import template
from django.utils.html import format_html

from kefu.kpi.choices import PERCENT_SOURCES, STATUS_COLORS, Rule, ScorecardAction, ScorecardStatus, Source

register = template.Library()


@register.simple_tag
def kpi_status_badge(value):
    try:
        label = ScorecardStatus(value).label
    except ValueError:
        label = value
    return format_html('<span class="badge text-bg-{} kefu-kpi-status" data-status="{}">{}</span>',
                       STATUS_COLORS.get(value, "secondary"), value, label)


@register.filter
def kpi_value(line) -> str:
    """The line's value with its unit: 92.50% for shares, 86.00 for points; — without data."""
    if line.value is None:
        return "—"
    if line.indicator.source in PERCENT_SOURCES or line.indicator.rule == Rule.THRESHOLD:
        return f"{line.value}%"
    return f"{line.value}"


@register.filter
def kpi_source_label(value) -> str:
    try:
        return str(Source(value).label)
    except ValueError:
        return value


@register.filter
def kpi_rule(indicator) -> str:
    if indicator.rule == Rule.LINEAR:
        return f"{indicator.floor} → {indicator.target}"
    if indicator.rule == Rule.THRESHOLD:
        return f"≥ {indicator.target}"
    return Rule(indicator.rule).label  # type: ignore[return-value]  # values of several types in one dict or variable


@register.filter
def kpi_action_label(value) -> str:
    try:
        return str(ScorecardAction(value).label)
    except ValueError:
        return value
