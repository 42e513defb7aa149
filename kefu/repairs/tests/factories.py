"""A repair order dispatched to the technician's team (水电组), its record, materials, equipment."""

from decimal import Decimal

from kefu.customers.tests.factories import make_site
from kefu.repairs.models import Equipment, Material
from kefu.repairs.services import repair_record_open
from kefu.workorders.tests.factories import advance, make_work_order


def make_materials() -> dict[str, Material]:
    return {"valve": Material.objects.create(name="角阀", unit="个", unit_price=Decimal("35.00")),
            "pipe": Material.objects.create(name="PPR水管", unit="米", unit_price=Decimal("12.50"))}


def make_equipment(*, code: str = "EQ-PUMP-1", name: str = "2号生活水泵") -> Equipment:
    return Equipment.objects.create(code=code, name=name, kind="water", site=make_site(), location="地下一层泵房")


def dispatched_repair(cast, org, *, start: bool = True, team=None, **kwargs):
    """A repair order received by the agent and dispatched to the 水电组 (started by the technician)."""
    order = make_work_order(actor=cast["agent"], contact_name="李女士", contact_phone="13912345678", **kwargs)
    order = advance(order, cast["agent"], "accept", ("dispatch", {"team": team or org["mep"]}))
    if start:
        order = advance(order, cast["technician"] if team is None else cast["vendor"], "start")
    return order


def open_record(cast, org, **kwargs):
    order = dispatched_repair(cast, org, **kwargs)
    opener = cast["technician"] if kwargs.get("team") is None else cast["vendor"]
    record, _created = repair_record_open(work_order=order, actor_user=opener)
    return record
