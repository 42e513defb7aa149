"""What a portal customer may see: their units (open occupancies), the orders of those units and
their own (as the customer, or reported by their account), their notices. Anything else is
absent (the views answer 404). Reads only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.customers.choices import AssetKind
from kefu.customers.models import Asset, CustomerAsset
from kefu.portal.models import PortalAccount, PortalRequest
from kefu.workorders.choices import Action, Status
from kefu.workorders.models import Attachment, Category, WorkOrder, WorkOrderEvent


def slot_choices() -> list[tuple[str, Any]]:
    return [("weekday_morning", gettext_lazy("Weekday mornings")),
            ("weekday_afternoon", gettext_lazy("Weekday afternoons")),
            ("weekday_evening", gettext_lazy("Weekday evenings")),
            ("weekend", gettext_lazy("Weekends"))]


def unit_ids(*, account: PortalAccount) -> list[int]:
    """The units the account's customer occupies now (open occupancies)."""
    if account.customer_id is None:
        return []
    return list(CustomerAsset.objects.filter(customer_id=account.customer_id, ended_on__isnull=True,
                                             asset__kind=AssetKind.UNIT).values_list("asset_id", flat=True))


def units_for(*, account: PortalAccount) -> QuerySet[Asset]:
    return Asset.objects.filter(pk__in=unit_ids(account=account)).select_related("site", "building").order_by("code")


def unit_for_account(*, account: PortalAccount, pk: Any) -> Asset | None:
    if not str(pk).isdigit():
        return None
    return units_for(account=account).filter(pk=int(str(pk))).first()


def orders_for(*, account: PortalAccount) -> QuerySet[WorkOrder]:
    """The orders the customer may follow, newest first."""
    scope = Q(portal_request__account=account)
    if account.customer_id is not None:
        scope |= Q(customer_id=account.customer_id)
        units = unit_ids(account=account)
        if units:
            scope |= Q(asset_id__in=units)
    return (WorkOrder.objects.filter(scope).select_related("category", "asset", "team")
            .order_by("-received_at", "-id"))


def order_get(*, account: PortalAccount, pk: Any) -> WorkOrder | None:
    if not str(pk).isdigit():
        return None
    return orders_for(account=account).filter(pk=int(str(pk))).first()


def attachment_get(*, account: PortalAccount, order_pk: Any, pk: Any) -> Attachment | None:
    order = order_get(account=account, pk=order_pk)
    if order is None or not str(pk).isdigit():
        return None
    return Attachment.objects.filter(work_order=order, pk=int(str(pk))).first()


def categories_for(*, type: str) -> QuerySet[Category]:
    """The short list a customer picks from, in plain words: the active categories one level
    below the roots (给排水, 电梯, 噪音扰民…) of the center's industry, allowed for the type."""
    from django.conf import settings

    rows = (Category.objects.filter(is_active=True, parent__isnull=False, parent__parent__isnull=True,
                                    industry=getattr(settings, "KEFU_PORTAL_INDUSTRY", "property"))
            .order_by("parent__sort_order", "sort_order", "code"))
    ids = [c.pk for c in rows if c.allows_type(type)][:12]
    return Category.objects.filter(pk__in=ids).order_by("sort_order", "code")


def portal_orders() -> QuerySet[WorkOrder]:
    """Orders a portal customer can confirm: reported through the portal, or of a customer who
    has a portal account (the auto-confirmation's population)."""
    customers = PortalAccount.objects.filter(customer__isnull=False).values("customer_id")
    return WorkOrder.objects.filter(Q(portal_request__isnull=False) | Q(customer_id__in=customers))


def notices_for(*, account: PortalAccount) -> list[Any]:
    """The announcements queued for the customer, newest first."""
    if account.customer_id is None:
        return []
    from kefu.notices.models import NoticeRecipient

    rows = (NoticeRecipient.objects.filter(customer_id=account.customer_id).select_related("notice")
            .order_by("-notice__created_at")[:50])
    return [row.notice for row in rows]


def notice_get(*, account: PortalAccount, pk: Any) -> Any:
    if account.customer_id is None or not str(pk).isdigit():
        return None
    from kefu.notices.models import NoticeRecipient

    row = NoticeRecipient.objects.filter(customer_id=account.customer_id, notice_id=int(str(pk))).select_related(
        "notice").first()
    return row.notice if row else None


# What the customer reads on the timeline: each step in plain words (internal notes never shown).
_PLAIN: dict[str, Any] = {
    Action.CREATE: gettext_lazy("We received your request"),
    Action.ACCEPT: gettext_lazy("The service center took your request"),
    Action.DISPATCH: gettext_lazy("Dispatched to %(team)s"),
    Action.START: gettext_lazy("The technician is on the way"),
    Action.HOLD: gettext_lazy("Waiting (for parts, a vendor or you)"),
    Action.RESUME: gettext_lazy("Work resumed"),
    Action.RESOLVE: gettext_lazy("Done: %(resolution)s"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.REOPEN: gettext_lazy("Reopened: %(reason)s"),
    Action.CANCEL: gettext_lazy("Cancelled"),
    Action.ATTACH: gettext_lazy("Photo added"),
}


def timeline(*, order: WorkOrder) -> list[dict[str, Any]]:
    """The order's steps in plain words, oldest first: status changes, photos, and the
    customer-visible messages (both ways)."""
    events = (WorkOrderEvent.objects.filter(work_order=order, internal=False)
              .exclude(action__in=[Action.SUBMIT_PLAN, Action.APPROVE_PLAN, Action.REJECT_PLAN,
                                   Action.ESCALATE, Action.CALLBACK_COMPLETED, Action.RATING_RECEIVED])
              .order_by("created_at", "id"))
    from django.contrib.auth import get_user_model

    portal_ids = set(get_user_model().objects.filter(username="kefu-portal").values_list("pk", flat=True))
    steps: list[dict[str, Any]] = []
    for event in events:
        if event.action == Action.COMMENT:
            steps.append({"at": event.created_at, "kind": "message",
                          "from_customer": event.actor_id in portal_ids or "portal_confirmation" in event.data,
                          "text": event.body})
            continue
        template = _PLAIN.get(event.action)
        if template is None:
            continue
        values = {"team": order.team.name if order.team_id and order.team else _("a team"),
                  "resolution": order.resolution or "", "reason": event.data.get("reason", event.body)}
        steps.append({"at": event.created_at, "kind": "step", "action": event.action,
                      "text": str(template) % values if "%(" in str(template) else str(template)})
    return steps


def confirmable(order: WorkOrder) -> bool:
    """Resolved (or closed) and not yet answered for this resolution."""
    from kefu.portal.models import Confirmation

    return (order.status in (Status.RESOLVED, Status.CLOSED) and order.resolved_at is not None
            and not Confirmation.objects.filter(work_order=order, resolved_at=order.resolved_at).exists())


def portal_request_of(order: WorkOrder) -> PortalRequest | None:
    return PortalRequest.objects.filter(work_order=order).select_related("account", "building").first()
