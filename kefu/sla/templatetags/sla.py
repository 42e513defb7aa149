"""`{% load sla %}`: SLA's own parts of the work-order page — the clocks panel
(`{% order_clocks order %}`), an escalation event's rows on the timeline and a clock's state as a
badge. SLA serves them; the work-order views and tags do not import this app (kefu/floors.py)."""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.core.templatetags.kefu import badge
from kefu.org.choices import RoleCode
from kefu.sla.choices import CLOCK_STATE_COLORS, ClockKind, ClockState
from kefu.sla.selectors import clocks_for_order, deadlines_for_orders

register = template.Library()


# The queue chip's colour per state (Bootstrap's subtle badges, readable in both themes).
DEADLINE_CHIP_COLORS = {"running": "primary", "warning": "warning", "breached": "danger", "paused": "secondary"}


def _amount(minutes: float) -> tuple[int, bool]:
    """Minutes as a whole number of hours (from one hour on) or of minutes: (n, in_hours)."""
    minutes = abs(minutes)
    if minutes >= 60:
        return int(round(minutes / 60)), True
    return int(round(minutes)), False


@register.simple_tag
def deadline_text(remaining_minutes: Any, business: bool) -> str:
    """Time left (or overdue) on a clock, saying whether it is working or calendar time:
    "剩余 3 工作小时" / "3 working hours left", "超时 20 分钟" / "20 min overdue"."""
    if remaining_minutes is None:
        return ""
    n, hours = _amount(float(remaining_minutes))
    late = float(remaining_minutes) < 0
    if business and hours:
        text = (ngettext("%(n)s working hour overdue", "%(n)s working hours overdue", n) if late
                else ngettext("%(n)s working hour left", "%(n)s working hours left", n))
    elif business:
        text = (ngettext("%(n)s working minute overdue", "%(n)s working minutes overdue", n) if late
                else ngettext("%(n)s working minute left", "%(n)s working minutes left", n))
    elif hours:
        text = (ngettext("%(n)s hour overdue", "%(n)s hours overdue", n) if late
                else ngettext("%(n)s hour left", "%(n)s hours left", n))
    else:
        text = (ngettext("%(n)s minute overdue", "%(n)s minutes overdue", n) if late
                else ngettext("%(n)s minute left", "%(n)s minutes left", n))
    return text % {"n": n}


@register.simple_tag
def queue_deadlines(orders: Any) -> dict[int, dict]:
    """The next deadline of each order on a queue page (one query), for `deadline_chip`."""
    return deadlines_for_orders(order_ids=[o.pk for o in orders], now=timezone.now())


@register.simple_tag
def deadline_chip(deadlines: dict, order_id: int) -> str:
    """An order's next deadline as a colour-coded chip (running / warning / breached / paused)
    saying the time left and whether it is working or calendar time; empty without a live clock."""
    row = deadlines.get(order_id)
    if row is None:
        return ""
    state = row["state"]
    labels = {"running": _("Running"), "warning": _("Due soon"), "breached": _("Breached"), "paused": _("Paused")}
    text = deadline_text(row["remaining_minutes"], row["business"])
    if state == "paused":
        text = _("Paused · %(left)s") % {"left": text}
    icon = {"running": "bi-stopwatch", "warning": "bi-hourglass-split", "breached": "bi-alarm",
            "paused": "bi-pause-circle"}[state]
    return format_html(
        '<span class="badge rounded-pill text-bg-{} kefu-deadline kefu-deadline-{}" title="{}: {}">'
        '<i class="bi {}" aria-hidden="true"></i> {}</span>',
        DEADLINE_CHIP_COLORS[state], state, labels[state], timezone.localtime(row["due_at"]).strftime("%m-%d %H:%M"),
        icon, text)


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
