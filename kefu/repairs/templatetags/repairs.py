"""`{% load repairs %}{% order_repair order %}`: the repair record's panel on a repair order's
page (its charge, quote and sign-off, or a button that opens it). The repairs app serves its own
panel; the work-order view does not import this app (kefu/floors.py)."""

from typing import Any

from django import template

from kefu.repairs.selectors import record_for_order
from kefu.repairs.workflow import EDITORS
from kefu.workorders.choices import WorkOrderType

register = template.Library()


@register.inclusion_tag("repairs/partials/order_panel.html", takes_context=True)
def order_repair(context: Any, order: Any) -> dict[str, Any]:
    """The panel's context (empty for orders that are not repairs: no query). The caller has
    already checked that the user may see the order."""
    if order.type != WorkOrderType.REPAIR:
        return {"show": False}
    request = context.get("request")
    actor = getattr(request, "actor", None)
    return {"show": True, "order": order, "record": record_for_order(order=order),
            "may_open": actor is not None and actor.role in EDITORS, "csrf_token": context.get("csrf_token")}
