"""`{% load workorders %}`: work-order badges and labels (status, priority, action, type), the
timeline's event details and whether the user may log new orders."""

from functools import lru_cache
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.core.templatetags.kefu import badge, local
from kefu.workorders.choices import PRIORITY_COLORS, STATUS_COLORS, Action, Priority, Status, WorkOrderType

register = template.Library()


@register.filter
def status_color(value: Any) -> str:
    return STATUS_COLORS.get(value, "secondary")


@register.filter
def priority_color(value: Any) -> str:
    return PRIORITY_COLORS.get(value, "secondary")


@lru_cache(maxsize=256)
def _choice_badge(kind: str, value: str, language: str) -> str:
    # Cached per value and language: a queue page draws ~75 badges from a dozen distinct ones.
    choices: type[Status] | type[Priority] = Status if kind == "status" else Priority
    colors: dict[Any, str] = STATUS_COLORS if kind == "status" else PRIORITY_COLORS
    try:
        label = choices(value).label
    except ValueError:
        label = value
    return badge(colors.get(value, "secondary"), str(label), f" kefu-{kind}")


@register.simple_tag
def status_badge(value: Any) -> str:
    if not value:
        return ""
    return _choice_badge("status", value, get_language() or "")


@register.simple_tag
def priority_badge(value: Any) -> str:
    if not value:
        return ""
    return _choice_badge("priority", value, get_language() or "")


@register.filter
def action_label(value: Any) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return str(value)


@register.filter
def status_label(value: Any) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value or ""


@register.filter
def type_label(value: Any) -> str:
    try:
        return str(WorkOrderType(value).label)
    except ValueError:
        return value or ""



@register.simple_tag
def event_details(event: Any) -> list[tuple[str, str]]:
    """The interesting bits of an event's data as (label, value) pairs for the timeline (an
    escalation's SLA rows are added by `{% escalation_details %}` of `{% load sla %}`)."""
    from kefu.workorders.choices import HoldReason

    data = event.data or {}
    rows: list[tuple[str, str]] = []
    if data.get("team_name"):
        rows.append((_("Team"), data["team_name"]))
    if data.get("assignee_name"):
        rows.append((_("Assignee"), data["assignee_name"]))
    if data.get("promised_at"):
        from django.utils.dateparse import parse_datetime

        when = parse_datetime(data["promised_at"])
        rows.append((_("Promised"), local(when) if when else str(data["promised_at"])))
    if data.get("waiting_for"):
        try:
            rows.append((_("Waiting for"), str(HoldReason(data["waiting_for"]).label)))
        except ValueError:
            pass
    if event.action == Action.SUBMIT_PLAN and data.get("compensation_amount"):
        rows.append((_("Compensation / cost"), f"¥{data['compensation_amount']}"))
    if data.get("note") and data["note"] != event.body:
        rows.append((_("Note"), data["note"]))
    return rows



@register.simple_tag(takes_context=True)
def can_create_orders(context: template.Context) -> bool:
    """Whether the signed-in user's role may log new work orders (shows the intake link)."""
    request = context.get("request")
    from kefu.org.selectors import actor_for_user
    from kefu.workorders.services import CREATE_ROLES

    actor = actor_for_user(getattr(request, "user", None))
    return actor is not None and actor.role in CREATE_ROLES


