"""Template helpers of the front desk pages."""

from typing import Any

from django import template
from django.utils.html import format_html

from kefu.frontdesk.choices import PASS_STATUS_COLORS, PassAction, PassStatus
from kefu.frontdesk.selectors import arrears_rows as _arrears_rows

register = template.Library()


@register.simple_tag
def pass_status_badge(status: str) -> str:
    try:
        known = PassStatus(status)
    except ValueError:
        return format_html('<span class="badge text-bg-secondary">{}</span>', status)
    return format_html('<span class="badge text-bg-{} kefu-pass-status" data-status="{}">{}</span>',
                       PASS_STATUS_COLORS[known], status, known.label)


@register.filter
def pass_action_label(action: str) -> str:
    try:
        return str(PassAction(action).label)
    except ValueError:
        return action


@register.filter
def arrears_rows(balances: Any) -> list:
    return _arrears_rows(list(balances))


@register.filter
def mask_name(name: str) -> str:
    """张** : the guard at the gate sees the family name only (PIPL: access on need)."""
    name = (name or "").strip()
    return name[:1] + "*" * min(len(name) - 1, 3) if name else ""
