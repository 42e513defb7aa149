"""Factories for work orders: created and moved through the real services, never raw saves."""

from kefu.workorders.models import Category, WorkOrder
from kefu.workorders.services import work_order_create, work_order_transition


def category_for(type_: str, industry: str = "property") -> Category:
    """The first active leaf category of `industry` that allows `type_`."""
    for category in Category.objects.filter(industry=industry, children__isnull=True).order_by("code"):
        if category.allows_type(type_):
            return category
    raise LookupError(type_)


def make_work_order(*, actor, type: str = "repair", channel: str = "phone", **kwargs) -> WorkOrder:
    kwargs.setdefault("category", category_for(type))
    kwargs.setdefault("title", "卫生间漏水")
    kwargs.setdefault("description", "客户来电反映卫生间漏水到楼下。")
    return work_order_create(actor_user=actor, type=type, channel=channel, **kwargs)


def advance(order: WorkOrder, actor, *steps) -> WorkOrder:
    """Run actions in order; each step is an action name or (action, data)."""
    for step in steps:
        action, data = (step, {}) if isinstance(step, str) else step
        order = work_order_transition(work_order=order, action=action, actor_user=actor, **data)
    return order
