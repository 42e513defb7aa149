"""Reads of repair records, materials and equipment, scoped to the orders the actor may see."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.selectors import Actor
from kefu.repairs.models import Equipment, Material, RepairRecord
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import can_see as can_see_order
from kefu.workorders.selectors import visibility_q

RELATED = ("work_order", "work_order__asset", "work_order__team", "work_order__assignee__staff", "equipment",
           "equipment__site")


def can_see(actor: Any, record: RepairRecord) -> bool:
    """A record is visible to whoever may see its order (ADR 0004); the system sees all."""
    if getattr(actor, "role", None) == "system":
        return True
    return can_see_order(actor, record.work_order)


def record_list_for_actor(*, actor: Actor) -> QuerySet[RepairRecord]:
    """The records of the orders the actor may see, newest first (one query with the order,
    its unit, team, assignee and the equipment)."""
    visible = WorkOrder.objects.filter(visibility_q(actor)).values("pk")
    return RepairRecord.objects.filter(work_order__in=visible).select_related(*RELATED)


def record_get_for_actor(*, actor: Actor, pk: Any) -> RepairRecord:
    record = record_list_for_actor(actor=actor).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("Repair record not found."))
    return record


def record_for_order(*, order: Any) -> RepairRecord | None:
    return RepairRecord.objects.filter(work_order=order).first()


def materials_active() -> QuerySet[Material]:
    return Material.objects.filter(is_active=True)


def equipment_list() -> QuerySet[Equipment]:
    return Equipment.objects.select_related("site", "building")
