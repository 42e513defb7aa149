"""`{% load channels %}{% order_calls order %}`: the calls an order was created from (with their
recording links) as a panel of the work-order page. The channels app serves its own panel; the
work-order view does not import this app (kefu/floors.py)."""

from typing import Any

from django import template

from kefu.channels.models import Call

register = template.Library()


@register.inclusion_tag("channels/partials/order_calls.html")
def order_calls(order: Any) -> dict[str, Any]:
    """The panel's context: the caller has already checked that the user may see the order."""
    return {"calls": list(Call.objects.filter(work_orders=order).select_related("account").order_by("created_at"))}
