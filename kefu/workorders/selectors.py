"""Reads of work orders, always scoped to what the actor may see.

Visibility (role.visibility): `all`; `department` — orders whose team or intake department is
in the actor's department subtree, plus orders they received or are assigned; `assigned` —
only orders dispatched to a team in their subtree or to themselves (vendors).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound, field_error
from kefu.org.choices import Visibility
from kefu.org.models import Department
from kefu.org.selectors import Actor, organisation_path
from kefu.workorders import workflow
from kefu.workorders.choices import OPEN_STATUSES, PlanStatus, Status
from kefu.workorders.models import Category, WorkOrder, WorkOrderEvent

# `plan_role` is rendered by the list serializer (plan_role.code): without it every order with a
# plan costs one more query per row (found by the N+1 test in tests/test_api.py).
# Only the many-valued references are joined; the small lookup tables and the users with their
# staff profiles come by prefetch (one short query each). Joining all eleven tables made
# PostgreSQL spend ~50 ms *planning* every list query at 1M orders, and seven still ~12 ms, against
# under 1 ms of execution (bench/, docs/performance.md).
LIST_RELATED = ("customer", "asset")


def _list_prefetch() -> tuple:
    users = get_user_model().objects.select_related("staff")
    return ("tags", "category", "team", "site", "plan_role", Prefetch("assignee", queryset=users),
            Prefetch("first_contact_owner", queryset=users))


def subtree_ids(actor: Actor) -> list[int]:
    """Ids of the actor's department and everything below it (cached on the actor)."""
    cached = getattr(actor, "_subtree_ids", None)
    if cached is None:
        if not actor.department_path:
            cached = []
        else:
            cached = list(Department.objects.filter(path__startswith=actor.department_path)
                          .values_list("pk", flat=True))
        object.__setattr__(actor, "_subtree_ids", cached)
    return cached


def team_ids(actor: Actor) -> list[int]:
    """Teams in the actor's subtree ("my team's" queue)."""
    cached = getattr(actor, "_team_ids", None)
    if cached is None:
        ids = subtree_ids(actor)
        cached = list(Department.objects.filter(pk__in=ids, kind="team").values_list("pk", flat=True)) if ids else []
        object.__setattr__(actor, "_team_ids", cached)
    return cached


def visibility_q(actor: Actor) -> Q:
    if actor.visibility == Visibility.ALL:
        return Q()
    ids = subtree_ids(actor)
    mine = Q(assignee_id=actor.user_id)
    if actor.visibility == Visibility.ASSIGNED:
        return mine | Q(team_id__in=ids)
    return mine | Q(first_contact_owner_id=actor.user_id) | Q(team_id__in=ids) | Q(intake_department_id__in=ids)


def can_see(actor: Actor, order: WorkOrder) -> bool:
    if actor.visibility == Visibility.ALL:
        return True
    ids = set(subtree_ids(actor))
    if order.assignee_id == actor.user_id or order.team_id in ids:
        return True
    if actor.visibility == Visibility.ASSIGNED:
        return False
    return order.first_contact_owner_id == actor.user_id or order.intake_department_id in ids


def can_work_on(actor: Actor, order: WorkOrder) -> bool:
    """Technicians and vendors act only on work dispatched to their team(s) or to themselves."""
    if actor.role not in workflow.WORKER_ROLES:
        return True
    return order.assignee_id == actor.user_id or order.team_id in set(subtree_ids(actor))


def work_order_list_for_actor(*, actor: Actor) -> QuerySet[WorkOrder]:
    return (WorkOrder.objects.filter(visibility_q(actor))
            .select_related(*LIST_RELATED).prefetch_related(*_list_prefetch()))


def work_order_get_for_actor(*, actor: Actor, pk) -> WorkOrder:
    """The order with id `pk` if the actor may see it; NotFound otherwise (no existence leak)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("not found") from None
    order = (WorkOrder.objects.filter(visibility_q(actor), pk=pk).select_related(*LIST_RELATED, "related_order")
             .prefetch_related(*_list_prefetch()).first())
    if order is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("Work order not found."))
    return order


# --- queues ----------------------------------------------------------------------------------

QUEUES = ("dispatch", "mine", "team", "received", "approval", "all")
# Roles that dispatch: their "to dispatch" queue is where a new order waits for them.
DISPATCH_ROLES = frozenset({"supervisor", "manager", "director", "administrator"})


def queue_q(*, actor: Actor, queue: str) -> Q:
    """The filter of a named queue (on top of visibility). Open orders only, except `all`."""
    open_q = Q(status__in=OPEN_STATUSES)
    if queue == "dispatch":
        # New and accepted orders of the actor's department without a team: what must be
        # dispatched next. Actors without a department (site-wide roles) see the whole site's.
        waiting = Q(status__in=(Status.NEW, Status.ACCEPTED), team__isnull=True)
        if actor.department_path:
            waiting &= Q(intake_department_id__in=subtree_ids(actor))
        return waiting
    if queue == "mine":
        return open_q & Q(assignee_id=actor.user_id)
    if queue == "team":
        return open_q & Q(team_id__in=team_ids(actor))
    if queue == "received":
        # First-contact ownership (首接责任制) lasts until the order is closed, so a resolved
        # order awaiting confirmation or callback stays in the owner's view.
        return Q(status__in=(*OPEN_STATUSES, Status.RESOLVED), first_contact_owner_id=actor.user_id)
    if queue == "approval":
        if actor.role == "administrator":
            return Q(plan_status=PlanStatus.PENDING)
        role_id = actor.staff.role_id if actor.staff else None
        return Q(plan_status=PlanStatus.PENDING, plan_role_id=role_id)
    return Q()


def queue_counts(*, actor: Actor) -> dict[str, int]:
    """Number of orders per queue: one COUNT per queue, each answered by its own index.

    One conditional aggregate would read every order the actor may see (hundreds of thousands
    for a department at 1M orders). "Mine" and "team" imply visibility for every role, and so does
    "received" except for assigned-only roles, so those counts skip the visibility filter; the
    approval queue is small (pending plans, partial index) and keeps it.
    """
    counts = {}
    names = ("dispatch", "mine", "team", "received", "approval") if actor.role in DISPATCH_ROLES else (
        "mine", "team", "received", "approval")
    for name in names:
        condition = queue_q(actor=actor, queue=name)
        # "dispatch" of a department-less actor spans the site: the visibility filter keeps it
        # honest for roles that see less than all.
        if name == "approval" or (name == "dispatch" and not actor.department_path) or (name == "received" and actor.visibility == Visibility.ASSIGNED):
            condition &= visibility_q(actor)
        counts[name] = WorkOrder.objects.filter(condition).count()
    return counts


def work_order_events(*, order: WorkOrder, include_internal: bool = True) -> QuerySet[WorkOrderEvent]:
    qs = order.events.select_related("actor__staff").order_by("created_at", "id")
    if not include_internal:
        qs = qs.filter(internal=False)
    return qs


def work_order_available_actions(*, actor: Actor, order: WorkOrder) -> list[str]:
    """Actions the actor may take on the order now (what the UI shows as buttons)."""
    if not can_see(actor, order):
        return []
    result = []
    for name in workflow.ACTION_NAMES:
        if workflow.check(action=name, status=order.status, role=actor.role) is not None:
            continue
        if name != "comment" and not can_work_on(actor, order):
            continue
        if name == "submit_plan" and order.plan_status == PlanStatus.PENDING:
            continue
        if name in ("approve_plan", "reject_plan"):
            if order.plan_status != PlanStatus.PENDING or not actor.covers(
                    complaint_level=order.complaint_level, amount=order.compensation_amount):
                continue
        if name == "resolve" and order.needs_approved_plan and order.plan_status != PlanStatus.APPROVED:
            continue
        result.append(name)
    return result


def work_order_related_for_intake(*, actor: Actor, customer_id=None, asset_id=None, days: int = 30,
                                  limit: int = 10) -> list[WorkOrder]:
    """What an agent should see before logging a new order: the customer's open orders and
    orders on the same unit/asset in the last `days` days (link instead of duplicating)."""
    if not customer_id and not asset_id:
        return []
    cond = Q()
    if customer_id:
        cond |= Q(customer_id=customer_id, status__in=OPEN_STATUSES)
        cond |= Q(customer_id=customer_id, received_at__gte=timezone.now() - timedelta(days=days))
    if asset_id:
        cond |= Q(asset_id=asset_id, received_at__gte=timezone.now() - timedelta(days=days))
    return list(WorkOrder.objects.filter(visibility_q(actor)).filter(cond)
                .select_related("category", "team").order_by("-received_at")[:limit])


def category_list(*, active_only: bool = True, actor: Actor | None = None) -> QuerySet[Category]:
    """Categories for pickers (intake, queue filters), in tree order within each industry. With
    `actor`: only the shared ones and those of the actor's organisation (or of one above it, or
    below it for a group-level actor)."""
    qs = Category.objects.all()
    within = organisation_path(actor)
    if within:
        above = [int(p) for p in within.strip("/").split("/") if p.isdigit()]
        qs = qs.filter(Q(organisation__isnull=True) | Q(organisation_id__in=above)
                       | Q(organisation__path__startswith=within))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("industry", "sort_order", "code")


# --- work orders of a customer or a unit (the customer 360 page and the units list) -------------

def customer_work_orders(*, actor: Actor, customer, limit: int = 20) -> dict:
    """The customer's open and past work orders that the actor may see (newest first)."""
    qs = (WorkOrder.objects.filter(visibility_q(actor), customer=customer)
          .select_related("category", "asset").order_by("-received_at"))
    return {"open": list(qs.filter(status__in=OPEN_STATUSES)[:limit]),
            "past": list(qs.exclude(status__in=OPEN_STATUSES)[:limit])}


def open_orders_by_asset(*, actor: Actor | None, asset_ids: list[int]) -> dict[int, int]:
    """Open work orders at each of these assets that the actor may see (one query; absent = 0)."""
    orders = WorkOrder.objects.filter(asset_id__in=asset_ids, status__in=OPEN_STATUSES)
    if actor is not None:
        orders = orders.filter(visibility_q(actor))
    return dict(orders.order_by().values("asset_id").annotate(n=Count("pk")).values_list("asset_id", "n"))


def user_by_id(pk) -> object | None:
    """Resolve a user id from a form/API body (None for empty)."""
    if pk in (None, ""):
        return None
    user = get_user_model().objects.select_related("staff__department").filter(pk=pk).first()
    if user is None:
        raise field_error("assignee", _("Unknown staff member."))
    return user
