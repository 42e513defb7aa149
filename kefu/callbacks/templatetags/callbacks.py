"""`{% load callbacks %}{% order_follow_up order %}`: the loop after the fix (callbacks with their
attempts, the customer's ratings) as a panel of the work-order page. Callbacks serve their own
panel; the work-order view does not import this app (kefu/floors.py)."""

from typing import Any

from django import template

from kefu.callbacks.selectors import order_follow_up as follow_up_for

register = template.Library()


@register.inclusion_tag("callbacks/partials/order_panel.html")
def order_follow_up(order: Any) -> dict[str, Any]:
    """The panel's context: the caller has already checked that the user may see the order."""
    return {"follow_up": follow_up_for(order=order)}
