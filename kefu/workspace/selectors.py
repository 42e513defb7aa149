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


# --- the desk: one dashboard per role ----------------------------------------------------------

def _figure(label, count: int, url: str, tone: str = "primary") -> dict:
    return {"label": label, "count": count, "url": url, "tone": tone}


def desk_figures(*, actor: Actor, now=None) -> dict:
    """The figures of the actor's desk, each with the URL of the orders (or callbacks) it counts —
    the very list the link opens, so the number and the list agree.

    Everyone: their own open orders and due callbacks, and today's figures. Dispatching roles
    (supervisors and above): their teams' backlog by deadline, the orders waiting for a team and
    the overdue callbacks. Site-wide roles (manager and above): the site's intake per week.
    Counts follow the queues' own conditions (`workorders.selectors.queue_q`) on top of visibility.
    """
    from datetime import datetime, time, timedelta
    from urllib.parse import urlencode

    from django.db.models import Count, Q
    from django.db.models.functions import TruncWeek
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from kefu.callbacks.models import Callback
    from kefu.callbacks.selectors import callback_visibility_q
    from kefu.callbacks.selectors import queue_q as callback_queue_q
    from kefu.workorders.models import WorkOrder

    # Whole minutes: the links carry the moment to the minute, so the count uses the same one.
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    start_of_day = datetime.combine(today, time.min, tzinfo=tz)
    queue_url, callbacks_url = reverse("workorders:queue"), reverse("callbacks:list")

    def orders_url(**params) -> str:
        return f"{queue_url}?{urlencode(params)}"

    def count(queue: str, extra: Q | None = None) -> int:
        condition = workorders.visibility_q(actor) & workorders.queue_q(actor=actor, queue=queue)
        return WorkOrder.objects.filter(condition & (extra or Q())).count()

    stamp = lambda moment: timezone.localtime(moment).isoformat(timespec="minutes")  # noqa: E731
    mine = [
        _figure(_("My open orders (I received)"), count("received"), orders_url(queue="received")),
        _figure(_("Assigned to me"), count("mine"), orders_url(queue="mine")),
        _figure(_("Callbacks due today"), Callback.objects.filter(
            callback_visibility_q(actor) & callback_queue_q(actor=actor, queue="due", now=now)).count(),
            f"{callbacks_url}?queue=due", "warning"),
    ]
    today_figures = [
        _figure(_("Received by me today"), count("all", Q(first_contact_owner_id=actor.user_id,
                                                         received_at__gte=start_of_day)),
                orders_url(queue="all", first_contact_owner=actor.user_id, received_after=today.isoformat())),
        _figure(_("My orders past their deadline"), count("received", Q(sla_due_at__lt=now)),
                orders_url(queue="received", due_before=stamp(now)), "danger"),
    ]
    result: dict = {"mine": mine, "today": today_figures, "backlog": [], "team": [], "trend": []}
    if actor.role in workorders.DISPATCH_ROLES:
        soon, end_of_day = now + timedelta(hours=2), start_of_day + timedelta(days=1)
        buckets = [
            (_("Past their deadline"), Q(sla_due_at__lt=now), {"due_before": stamp(now)}, "danger"),
            (_("Due within 2 hours"), Q(sla_due_at__gte=now, sla_due_at__lt=soon),
             {"due_after": stamp(now), "due_before": stamp(soon)}, "warning"),
            (_("Due later today"), Q(sla_due_at__gte=soon, sla_due_at__lt=end_of_day),
             {"due_after": stamp(soon), "due_before": stamp(end_of_day)}, "primary"),
            (_("Due after today"), Q(sla_due_at__gte=end_of_day), {"due_after": stamp(end_of_day)}, "secondary"),
        ]
        team = WorkOrder.objects.filter(workorders.visibility_q(actor) & workorders.queue_q(actor=actor, queue="team"))
        counts = team.aggregate(**{f"b{i}": Count("pk", filter=q) for i, (_l, q, _p, _t) in enumerate(buckets)})
        result["backlog"] = [_figure(label, counts[f"b{i}"], orders_url(queue="team", ordering="due", **params), tone)
                             for i, (label, _q, params, tone) in enumerate(buckets)]
        result["team"] = [
            _figure(_("Waiting for a team"), count("dispatch"), orders_url(queue="dispatch"), "warning"),
            # The callbacks list has no "overdue only" filter yet: the figure is its "due" tab
            # (due by the end of today, overdue included), so the number and the list agree.
            _figure(_("Callbacks overdue or due today"), Callback.objects.filter(
                callback_visibility_q(actor) & callback_queue_q(actor=actor, queue="due", now=now)).count(),
                f"{callbacks_url}?queue=due", "danger"),
        ]
    if actor.role in ("manager", "director", "administrator"):
        first_week = today - timedelta(days=today.weekday() + 7 * 7)
        since = datetime.combine(first_week, time.min, tzinfo=tz)
        weekly = dict(WorkOrder.objects.filter(workorders.visibility_q(actor), received_at__gte=since)
                      .annotate(week=TruncWeek("received_at", tzinfo=tz)).values("week")
                      .annotate(n=Count("pk")).values_list("week", "n"))
        weekly = {(w.date() if hasattr(w, "date") else w): n for w, n in weekly.items()}
        for i in range(8):
            week = first_week + timedelta(days=7 * i)
            result["trend"].append(_figure(
                week.strftime("%m-%d"), weekly.get(week, 0),
                orders_url(queue="all", received_after=week.isoformat(),
                           received_before=(week + timedelta(days=7)).isoformat())))
    return result
