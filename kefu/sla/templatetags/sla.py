"""`{% load sla %}`: SLA's own parts of the work-order page — the clocks panel
(`{% order_clocks order %}`), an escalation event's rows on the timeline and a clock's state as a
badge. SLA serves them; the work-order views and tags do not import this app (kefu/floors.py)."""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.templatetags.kefu import badge
from kefu.org.choices import RoleCode
from kefu.sla.choices import CLOCK_STATE_COLORS, ClockKind, ClockState
from kefu.sla.selectors import clocks_for_order

register = template.Library()


@register.inclusion_tag("sla/partials/order_clocks.html")
def order_clocks(order: Any) -> dict[str, Any]:
    """The order's clocks with due time, time left or taken, and state (the caller has already
    checked that the user may see the order)."""
    return {"clocks": clocks_for_order(order=order, now=timezone.now())}


@register.simple_tag
def escalation_details(event: Any, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An escalation step's rows for the timeline after `rows` (the event's other details): the
    clock, warning or escalation and its step, who was notified."""
    data = event.data or {}
    clock = data.get("clock", "")
    notify = data.get("notify", "")
    return [*rows,
            (_("SLA clock"), str(ClockKind(clock).label) if clock in ClockKind.values else str(clock)),
            (_("Warning") if data.get("kind") == "warning" else _("Escalation"),
             _("step %(step)s") % {"step": data.get("step", 0)}),
            (_("Notified"), _("Assignee") if notify == "assignee"
             else str(RoleCode(notify).label) if notify in RoleCode.values else str(notify))]


@register.simple_tag
def clock_badge(row: Any) -> str:
    """A clock's state as a coloured badge (a running clock past due reads as breached)."""
    state = row["state"]
    label = ClockState(state).label if state in ClockState.values else state
    return badge(CLOCK_STATE_COLORS.get(state, "secondary"), str(label))
