"""Template helpers of the agent UI: status/priority badges, local times, the unread count."""

from functools import lru_cache
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kefu.workorders.choices import PRIORITY_COLORS, STATUS_COLORS, Action, Priority, Status, WorkOrderType

register = template.Library()

# Text colour readable on each Bootstrap background used by the badges.
_DARK_TEXT = {"warning", "info", "light"}


def _badge(color: str, label: str, extra: str = "") -> str:
    text = " text-dark" if color in _DARK_TEXT else ""
    border = " border" if color == "light" else ""
    return format_html('<span class="badge text-bg-{}{}{}{}">{}</span>', color, text, border, extra, label)


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
    return _badge(colors.get(value, "secondary"), str(label), f" kefu-{kind}")


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


@register.filter
def local(value: Any, fmt: str = "Y-m-d H:i") -> str:
    """An aware datetime in the site's time zone ('2026-11-23 18:05'); '' for None.

    `fmt` is a date format string or a format setting name such as "MONTH_DAY_FORMAT"."""
    if not value:
        return ""
    strftime = _STRFTIME.get(fmt)
    if strftime:  # the numeric formats the pages use, without the localisation machinery
        return timezone.localtime(value).strftime(strftime)
    return formats.date_format(timezone.localtime(value), fmt)


_STRFTIME = {"Y-m-d H:i": "%Y-%m-%d %H:%M", "m-d H:i": "%m-%d %H:%M", "Y-m-d": "%Y-%m-%d", "H:i": "%H:%M"}


@register.filter
def datetime_local_input(value: Any) -> str:
    """The value of an <input type="datetime-local"> for an aware datetime (site time zone)."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return str(value.strftime("%Y-%m-%dT%H:%M"))


@register.filter
def staff_name(user: Any) -> str:
    """A user's staff display name (or username); 'System' for None (SLA sweeper events)."""
    if user is None:
        return _("System")
    staff = getattr(user, "staff", None)
    return str(staff.display_name if staff else user.get_username())


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """Unread notices of the signed-in user (one COUNT on a partial index), cached per request."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached: int | None = getattr(request, "_kefu_unread", None)
    if cached is None:
        from kefu.notifications.selectors import unread_count

        cached = unread_count(user=user)
        request._kefu_unread = cached
    return cached


@register.simple_tag
def event_details(event: Any) -> list[tuple[str, str]]:
    """The interesting bits of an event's data as (label, value) pairs for the timeline."""
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
    if event.action == Action.ESCALATE:
        from kefu.org.choices import RoleCode
        from kefu.sla.choices import ClockKind

        clock = data.get("clock", "")
        rows.append((_("SLA clock"), str(ClockKind(clock).label) if clock in ClockKind.values else str(clock)))
        rows.append((_("Warning") if data.get("kind") == "warning" else _("Escalation"),
                     _("step %(step)s") % {"step": data.get("step", 0)}))
        notify = data.get("notify", "")
        rows.append((_("Notified"), _("Assignee") if notify == "assignee"
                     else str(RoleCode(notify).label) if notify in RoleCode.values else str(notify)))
    return rows


@register.filter
def phone_for(value: Any, user: Any) -> str:
    """A phone number as `user` may see it: in full, or masked (138****8000)."""
    from kefu.core.masking import phone_for as _phone_for

    return _phone_for(user, value)


@register.filter
def id_number_for(value: Any, user: Any) -> str:
    """An ID number as `user` may see it: in full, or masked (110***********1234)."""
    from kefu.core.masking import id_number_for as _id_number_for

    return _id_number_for(user, value)


@register.filter
def is_past(value: Any) -> bool:
    """Whether an instant has passed (overdue SLA due times are shown in red)."""
    from django.utils import timezone

    return value is not None and value < timezone.now()


@register.filter
def duration(minutes: Any) -> str:
    """Minutes as '2 h 30 min' (absolute value; callers say whether it is left or overdue)."""
    if minutes is None:
        return "—"
    total = int(round(abs(float(minutes))))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)s min") % {"n": mins})
    return " ".join(parts)


@register.simple_tag
def clock_badge(row: Any) -> str:
    """A clock's state as a coloured badge (a running clock past due reads as breached)."""
    from kefu.sla.choices import CLOCK_STATE_COLORS, ClockState

    state = row["state"]
    label = ClockState(state).label if state in ClockState.values else state
    return _badge(CLOCK_STATE_COLORS.get(state, "secondary"), str(label))


@register.simple_tag(takes_context=True)
def can_create_orders(context: template.Context) -> bool:
    """Whether the signed-in user's role may log new work orders (shows the intake link)."""
    request = context.get("request")
    from kefu.org.selectors import actor_for_user
    from kefu.workorders.services import CREATE_ROLES

    actor = actor_for_user(getattr(request, "user", None))
    return actor is not None and actor.role in CREATE_ROLES


@register.filter
def detail_href(zero_url: str, pk: Any) -> str:
    """A row's URL from the URL reversed once for pk 0 ('/work-orders/0/' → '/work-orders/42/'):
    a 25-row queue otherwise reverses the same pattern 75 times."""
    if not zero_url.endswith("/0/"):
        raise ValueError(f"expected a URL ending in /0/, got {zero_url!r}")
    return f"{zero_url[:-2]}{int(pk)}/"
