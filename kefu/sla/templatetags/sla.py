"""`{% load sla %}`: an SLA clock's state as a badge."""

from typing import Any

from django import template

from kefu.core.templatetags.kefu import badge

register = template.Library()


@register.simple_tag
def clock_badge(row: Any) -> str:
    """A clock's state as a coloured badge (a running clock past due reads as breached)."""
    from kefu.sla.choices import CLOCK_STATE_COLORS, ClockState

    state = row["state"]
    label = ClockState(state).label if state in ClockState.values else state
    return badge(CLOCK_STATE_COLORS.get(state, "secondary"), str(label))


