"""Reads of vendors, scoped: a vendor user sees their own vendor only (its orders, nonconformities,
scorecards, statements); other staff see every vendor."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor
from kefu.vendors.models import Nonconformity, Scorecard, Vendor


def _own_q(actor: Actor, prefix: str = "") -> Q:
    if actor.role != RoleCode.VENDOR:
        return Q()
    ids = [int(p) for p in actor.department_path.strip("/").split("/") if p.isdigit()]
    return Q(**{f"{prefix}team_id__in": ids})  # the vendor whose team the user belongs to (or above it)


def vendor_list_for_actor(*, actor: Actor) -> QuerySet[Vendor]:
    return Vendor.objects.filter(_own_q(actor)).select_related("team").order_by("name")


def nonconformity_list_for_actor(*, actor: Actor) -> QuerySet[Nonconformity]:
    return (Nonconformity.objects.filter(_own_q(actor, "vendor__")).select_related("vendor")
            .order_by("-found_at", "id"))


def scorecard_list_for_actor(*, actor: Actor) -> QuerySet[Scorecard]:
    return (Scorecard.objects.filter(_own_q(actor, "vendor__")).select_related("vendor", "contract", "signed_by")
            .prefetch_related("lines").order_by("-month", "vendor__name"))


def can_see_vendor(actor: Actor, vendor_id: int) -> bool:
    return vendor_list_for_actor(actor=actor).filter(pk=vendor_id).exists()


def get_for_actor(queryset: QuerySet[Any], pk: Any, message: str) -> Any:
    try:
        found = queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(message)
    return found


def scorecard_get_for_actor(*, actor: Actor, pk: Any) -> Scorecard:
    return get_for_actor(scorecard_list_for_actor(actor=actor), pk, _("Scorecard not found."))
