"""Template helpers of every app's pages: local times, durations, masked numbers, staff names, row
links, and `badge` (a coloured Bootstrap badge) for the apps' own badge tags. Knows no domain app."""

from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# Text colour readable on each Bootstrap background used by the badges.
_DARK_TEXT = {"warning", "info", "light"}


def badge(color: str, label: str, extra: str = "") -> str:
    """A coloured badge (`color` is a Bootstrap background name) with readable text."""
    text = " text-dark" if color in _DARK_TEXT else ""
    border = " border" if color == "light" else ""
    return format_html('<span class="badge text-bg-{}{}{}{}">{}</span>', color, text, border, extra, label)


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


@register.filter
def detail_href(zero_url: str, pk: Any) -> str:
    """A row's URL from the URL reversed once for pk 0 ('/work-orders/0/' → '/work-orders/42/'):
    a 25-row queue otherwise reverses the same pattern 75 times."""
    if not zero_url.endswith("/0/"):
        raise ValueError(f"expected a URL ending in /0/, got {zero_url!r}")
    return f"{zero_url[:-2]}{int(pk)}/"
