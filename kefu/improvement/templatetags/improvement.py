"""Template helpers of the corrective-action pages: status badges, action labels, event details."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from kefu.improvement.choices import STATUS_COLORS, Action, Source, Status
from kefu.org.choices import RoleCode

register = template.Library()

_DARK_TEXT = {"warning", "info", "light"}


@register.simple_tag
def ca_status_badge(value):
    if not value:
        return ""
    try:
        label = Status(value).label
    except ValueError:
        label = value
    color = STATUS_COLORS.get(value, "secondary")
    text = " text-dark" if color in _DARK_TEXT else ""
    border = " border" if color == "light" else ""
    return format_html('<span class="badge text-bg-{}{}{} kefu-ca-status" data-status="{}">{}</span>', color, text,
                       border, value, label)


@register.filter
def ca_action_label(value) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return value


@register.filter
def ca_source_label(value) -> str:
    try:
        return str(Source(value).label)
    except ValueError:
        return value


@register.filter
def role_label(value) -> str:
    try:
        return str(RoleCode(value).label)
    except ValueError:
        return value or "—"


@register.filter
def percent(value) -> str:
    """A rate as a percentage: 0.93 → 93.0%, 93 → 93.0% (surveys may give either)."""
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return "—"
    if rate <= 1:
        rate *= 100
    return f"{rate:.1f}%"


@register.simple_tag
def ca_event_details(event) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = []
    if data.get("owner_name"):
        rows.append((_("Responsible person"), data["owner_name"]))
    if data.get("department_name"):
        rows.append((_("Responsible department"), data["department_name"]))
    if data.get("due_date"):
        rows.append((_("Due date"), data["due_date"]))
    if data.get("round"):
        rows.append((_("Round"), str(data["round"])))
    if data.get("root_cause"):
        rows.append((_("Root cause"), data["root_cause"]))
    if event.action == Action.ESCALATE:
        rows.append((_("Escalation step"), str(data.get("step", ""))))
        names = ", ".join(r.get("name", "") for r in data.get("recipients", [])) or _("nobody found")
        rows.append((_("Told"), f"{RoleCode(data['notify_role']).label if data.get('notify_role') else ''}: {names}"))
    if data.get("source"):
        rows.append((_("Source"), ca_source_label(data["source"])))
    return rows
