"""Reads of notices: which a user may see, whom a target reaches, delivery figures."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q, QuerySet

from kefu.customers.models import Customer, CustomerAsset
from kefu.notices.models import Notice
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor

ALL_SEEING = {RoleCode.ADMINISTRATOR, RoleCode.DIRECTOR}


def _subtree(actor: Actor) -> list[int]:
    from kefu.workorders.selectors import subtree_ids

    return subtree_ids(actor)


def notice_visibility_q(actor: Actor) -> Q:
    """Notices of the actor's department subtree (everything for directors and administrators)."""
    if actor.role in ALL_SEEING:
        return Q()
    return Q(department_id__in=_subtree(actor)) | Q(created_by_id=actor.user_id)


def can_see(actor: Actor, notice: Notice) -> bool:
    if actor.role in ALL_SEEING or notice.created_by_id == actor.user_id:
        return True
    return notice.department_id in _subtree(actor)


def notice_list_for_actor(*, actor: Actor) -> QuerySet[Notice]:
    return Notice.objects.filter(notice_visibility_q(actor)).order_by("-created_at", "-id")


def notice_get_for_actor(*, actor: Actor, pk) -> Notice:
    from django.utils.translation import gettext as _

    from kefu.core.errors import NotFound

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Notice not found.")) from None
    notice = Notice.objects.filter(notice_visibility_q(actor), pk=pk).first()
    if notice is None:
        raise NotFound(_("Notice not found."))
    return notice


def target_customers(target: dict) -> QuerySet[Customer]:
    """Customers the target reaches: current occupants of the units, of the buildings' and of the
    sites' units, and customers carrying one of the tags; never deleted or erased ones."""
    place = Q()
    if target.get("sites"):
        place |= Q(asset__site_id__in=target["sites"])
    if target.get("buildings"):
        place |= Q(asset__building_id__in=target["buildings"])
    if target.get("units"):
        place |= Q(asset_id__in=target["units"])
    who = Q(pk__in=[])
    if place:
        who |= Q(pk__in=CustomerAsset.objects.filter(place, ended_on=None).values("customer_id"))
    tags = target.get("tags") or []
    if tags:
        if connection.vendor == "postgresql":
            tag_q = Q()
            for tag in tags:
                tag_q |= Q(tags__contains=[tag])
            who |= tag_q
        else:  # SQLite has no JSON containment: match the tags in Python (small installs)
            ids = [pk for pk, values in Customer.objects.exclude(tags=[]).values_list("pk", "tags")
                   if set(values or []) & set(tags)]
            who |= Q(pk__in=ids)
    return Customer.objects.filter(who, deleted_at=None, erased_at=None)


def notice_figures(notice: Notice) -> dict[str, int]:
    """recipients (queued so far), sent (handed to a provider; delivered ones included),
    delivered, failed, logged (log-only channel), queued (not sent yet), suppressed."""
    from kefu.notifications.models import OutboundMessage

    counts = dict(OutboundMessage.objects.filter(notice_recipient__notice=notice).values_list("state")
                  .annotate(n=Count("id")).values_list("state", "n"))
    return {"recipients": notice.recipients, "sent": counts.get("sent", 0) + counts.get("delivered", 0),
            "delivered": counts.get("delivered", 0), "failed": counts.get("failed", 0),
            "logged": counts.get("logged", 0), "queued": counts.get("pending", 0),
            "suppressed": counts.get("suppressed", 0)}


def notice_expected_recipients(notice: Notice) -> int:
    """How many recipients the send counted (the last `send` event's figure; 0 before sending)."""
    from kefu.notices.choices import NoticeAction

    data = notice.events.filter(action=NoticeAction.SEND).order_by("-id").values_list("data", flat=True).first()
    return int((data or {}).get("recipients") or 0)


def audience_labels(target: dict) -> dict[str, list[str]]:
    """The target's sites, buildings and units by name or code, for the page (two to three queries)."""
    from kefu.customers.models import Asset, Building, Site

    labels: dict[str, list[str]] = {}
    if target.get("sites"):
        labels["sites"] = list(Site.objects.filter(pk__in=target["sites"]).order_by("code").values_list("name", flat=True))
    if target.get("buildings"):
        labels["buildings"] = [f"{b.site.name} {b.name}" for b in Building.objects.filter(
            pk__in=target["buildings"]).select_related("site").order_by("site__code", "code")]
    if target.get("units"):
        labels["units"] = list(Asset.objects.filter(pk__in=target["units"]).order_by("code").values_list("code", flat=True))
    if target.get("tags"):
        labels["tags"] = list(target["tags"])
    return labels
