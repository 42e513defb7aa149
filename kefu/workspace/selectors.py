"""Reads that assemble several apps for one page: the customer 360 page and the units list. Each
part is read by the app that owns it (customers, work orders, callbacks, surveys); this module
only puts them together."""

from datetime import date

from kefu.callbacks import selectors as callbacks
from kefu.customers import selectors as customers
from kefu.customers.models import Asset, Customer
from kefu.org.selectors import Actor
from kefu.surveys import selectors as surveys
from kefu.workorders import selectors as workorders


def customer_page(*, actor: Actor, customer: Customer) -> dict:
    """What the 360 page shows besides the customer's own record: the work orders the actor may
    see, callbacks and ratings of those orders (and the customer's own callbacks), survey answers,
    the archive and the change history (the history masked for `actor`'s user in the view)."""
    orders = workorders.customer_work_orders(actor=actor, customer=customer)
    order_ids = [o.pk for o in orders["open"] + orders["past"]]
    return {
        "orders": orders,
        "callbacks": callbacks.customer_callbacks(customer=customer, work_order_ids=order_ids),
        "ratings": callbacks.customer_ratings(work_order_ids=order_ids),
        "survey_responses": surveys.customer_survey_answers(customer=customer),
        "archive": customers.archive_for(customer=customer),
    }


def unit_rows(*, actor: Actor | None, units: list[Asset], today: date | None = None) -> list[Asset]:
    """The units list's page: what customers know of each unit (`customers.selectors.unit_rows`:
    occupants, archive completeness) and `open_work_orders` (open orders at the unit that the
    actor may see), in a fixed number of queries whatever the page's length."""
    units = customers.unit_rows(actor=actor, units=units, today=today)
    if not units:
        return units
    open_counts = workorders.open_orders_by_asset(actor=actor, asset_ids=[u.pk for u in units])
    for unit in units:
        unit.open_work_orders = open_counts.get(unit.pk, 0)  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
    return units


def saved_views_for_actor(*, actor: Actor) -> list:
    """The queue views the actor may open: their own, and those a supervisor shared with their
    department or any department above it (one query)."""
    from django.db.models import Q

    from kefu.workspace.models import SavedView

    # "/1/4/9/" → the paths of /1/, /1/4/, /1/4/9/: the actor's department and those above it.
    parts = [p for p in (actor.department_path or "").split("/") if p]
    above = [int(p) for p in parts if p.isdigit()]
    condition = Q(owner_id=actor.user_id)
    if above:
        condition |= Q(shared_with_id__in=above)
    return list(SavedView.objects.filter(condition).select_related("shared_with").order_by("name", "id"))
