"""The portal's panel on the staff's work-order page: `{% order_portal_origin order %}` says the
request came from the customer portal, what the customer saw when sending it, and how they
answered the resolution (served here so work orders never import the portal)."""

from typing import Any

from django import template

from kefu.portal.models import Confirmation, PortalRequest

register = template.Library()


@register.inclusion_tag("portal/partials/order_origin.html")
def order_portal_origin(order: Any) -> dict[str, Any]:
    request = PortalRequest.objects.filter(work_order_id=order.pk).select_related("account", "building").first()
    confirmations = list(Confirmation.objects.filter(work_order_id=order.pk).order_by("-created_at")[:5])
    return {"portal_request": request, "confirmations": confirmations, "order": order}
