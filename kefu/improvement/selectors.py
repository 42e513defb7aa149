"""Reads of corrective action notices, always scoped to what the actor may see.

Visibility follows the role's work-order visibility (docs/adr/0004): `all` roles (QA, director,
agent, clerk, administrator) see every notice; `department` roles see notices whose responsible
department lies in their subtree, plus those they own or issued; `assigned` roles (vendors)
only those they own. Not visible → NotFound (404), never 403.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound, field_error
from kefu.improvement import workflow
from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent, ImprovementSettings
from kefu.org.choices import RoleCode, Visibility
from kefu.org.models import Department, Staff
from kefu.org.selectors import Actor
from kefu.workorders.selectors import subtree_ids

# Roles that act for the owner's department (accept, record the action) besides the owner.
OWNER_SIDE_LEADS = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR})


def visibility_q(actor: Actor) -> Q:
    if actor.visibility == Visibility.ALL:
        return Q()
    mine = Q(owner_id=actor.user_id)
    if actor.visibility == Visibility.ASSIGNED:
        return mine
    return mine | Q(issued_by_id=actor.user_id) | Q(responsible_department_id__in=subtree_ids(actor))


def can_see(actor: Actor, notice: CorrectiveAction) -> bool:
    if actor.visibility == Visibility.ALL:
        return True
    if notice.owner_id == actor.user_id:
        return True
    if actor.visibility == Visibility.ASSIGNED:
        return False
    return notice.issued_by_id == actor.user_id or notice.responsible_department_id in set(subtree_ids(actor))


def is_owner_side(actor: Actor, notice: CorrectiveAction) -> bool:
    """The owner, an administrator, or a supervisor/manager/director over the responsible department."""
    if notice.owner_id == actor.user_id or actor.role == RoleCode.ADMINISTRATOR:
        return True
    department = notice.responsible_department
    return bool(actor.role in OWNER_SIDE_LEADS and department is not None and actor.department_path
                and department.path.startswith(actor.department_path))


def may_verify(actor: Actor, notice: CorrectiveAction) -> bool:
    """QA or the issuer's role, and never the owner nor whoever recorded the action."""
    if actor.user_id in (notice.owner_id, notice.action_recorded_by_id):
        return False
    return actor.role == RoleCode.QA or (bool(notice.issuer_role) and actor.role == notice.issuer_role)


def _users():
    return get_user_model().objects.select_related("staff")


def notice_list_for_actor(*, actor: Actor) -> QuerySet[CorrectiveAction]:
    return (CorrectiveAction.objects.filter(visibility_q(actor)).select_related("responsible_department")
            .prefetch_related(Prefetch("owner", queryset=_users()), Prefetch("issued_by", queryset=_users())))


def notice_get_for_actor(*, actor: Actor, pk) -> CorrectiveAction:
    """The notice with id `pk` if the actor may see it; NotFound otherwise (no existence leak)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Corrective action notice not found.")) from None
    notice = notice_list_for_actor(actor=actor).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("Corrective action notice not found."))
    return notice


def notice_events(*, notice: CorrectiveAction) -> QuerySet[CorrectiveActionEvent]:
    return notice.events.select_related("actor__staff").order_by("created_at", "id")


def notice_available_actions(*, actor: Actor, notice: CorrectiveAction) -> list[str]:
    """Actions the actor may take on the notice now (what the UI shows as buttons)."""
    if not can_see(actor, notice):
        return []
    result = []
    for name in workflow.ACTION_NAMES:
        if workflow.check(action=name, status=notice.status, role=actor.role) is not None:
            continue
        if name in workflow.OWNER_SIDE_ACTIONS and not is_owner_side(actor, notice):
            continue
        if name in workflow.VERIFY_ACTIONS and not may_verify(actor, notice):
            continue
        result.append(name)
    return result


def owner_candidates(*, department: Department | None) -> QuerySet[Staff]:
    """Active staff inside the department (and below): who may own its notice."""
    qs = Staff.objects.filter(is_active=True, user__is_active=True).select_related("user", "department", "role")
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    return qs.order_by("employee_no")


def department_choices(*, actor: Actor) -> QuerySet[Department]:
    """Departments the actor may hold responsible: all for `all` roles, else their subtree."""
    qs = Department.objects.filter(is_active=True)
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(path__startswith=actor.department_path or "/-/")
    return qs.order_by("path")


# --- overdue -----------------------------------------------------------------------------------

def due_instant(due_date: date) -> datetime:
    """A notice due on a day is overdue from the next local midnight."""
    return timezone.make_aware(datetime.combine(due_date + timedelta(days=1), time.min))


def escalation_ladder(settings_row: ImprovementSettings) -> list[tuple[str, int]]:
    """(role told, days after the due instant) per step, first step at the due instant."""
    return [(RoleCode.SUPERVISOR, 0), (RoleCode.MANAGER, settings_row.escalate_manager_after_days),
            (RoleCode.DIRECTOR, settings_row.escalate_director_after_days)]


def escalation_recipients(*, notice: CorrectiveAction, role: str) -> list:
    """Users of `role` over the owner's department (or the responsible department), nearest first."""
    staff = getattr(notice.owner, "staff", None) if notice.owner_id else None
    department = staff.department if staff else notice.responsible_department
    if department is None:
        return []
    ancestor_paths = [department.path[:i + 1] for i, ch in enumerate(department.path) if ch == "/" and i]
    rows = list(Staff.objects.filter(role__code=role, is_active=True, user__is_active=True,  # type: ignore[misc]  # not None on this path (set or checked before)
                                     department__path__in=ancestor_paths)
                .exclude(user_id=notice.owner_id).select_related("user", "department"))
    if not rows:
        return []
    nearest = max(len(s.department.path) for s in rows)
    return [s.user for s in rows if len(s.department.path) == nearest]


# --- automatic proposals and effect ----------------------------------------------------------

def complaint_clusters(*, year: int, month: int, threshold: int) -> list[dict]:
    """Categories with at least `threshold` complaints received in the local calendar month
    (cancelled ones not counted): [{"category", "orders": [...], "team_id"}] — `team_id` is the
    team most of them went to (ties: the team that got the earliest one), None if none dispatched."""
    from kefu.workorders.choices import Status as OrderStatus
    from kefu.workorders.choices import WorkOrderType
    from kefu.workorders.models import Category, WorkOrder

    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    complaints = (WorkOrder.objects.filter(type=WorkOrderType.COMPLAINT, received_at__gte=start, received_at__lt=end)
                  .exclude(status=OrderStatus.CANCELLED))
    counts = (complaints.values("category_id").annotate(n=Count("id")).filter(n__gte=max(threshold, 1))
              .order_by("category_id"))
    category_ids = [row["category_id"] for row in counts]
    if not category_ids:
        return []
    categories = Category.objects.in_bulk(category_ids)
    orders: dict[int, list[dict]] = {pk: [] for pk in category_ids}
    for row in (complaints.filter(category_id__in=category_ids).order_by("received_at", "id")
                .values("pk", "number", "title", "team_id", "category_id", "received_at")):
        orders[row["category_id"]].append(row)
    result = []
    for pk in category_ids:
        teams = Counter(o["team_id"] for o in orders[pk] if o["team_id"])
        # Counter keeps first-seen order among equal counts: the team of the earliest complaint wins.
        team_id = teams.most_common(1)[0][0] if teams else None
        result.append({"category": categories[pk], "orders": orders[pk], "team_id": team_id})
    return result


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def notice_effect(*, notice: CorrectiveAction, history: list[dict] | None = None) -> dict | None:
    """The survey item's rate before and after the notice (“effect”): the last campaign closed on
    or before the issue date, and the first one closed after it. None without an item."""
    if not notice.item_code:
        return None
    if history is None:
        from kefu.surveys.selectors import item_rate_history

        history = item_rate_history(notice.item_code)
    since = timezone.localdate(notice.issued_at or notice.created_at)
    rows = [{**row, "closed_on": _as_date(row.get("closed_on"))} for row in history or []]
    rows = [row for row in rows if row["closed_on"] is not None]
    before = [row for row in rows if row["closed_on"] <= since]
    after = [row for row in rows if row["closed_on"] > since]
    result = {"item_code": notice.item_code, "before": before[-1] if before else None,
              "after": after[0] if after else None, "history": rows, "change": None}
    if result["before"] and result["after"]:
        try:
            result["change"] = float(result["after"]["rate"]) - float(result["before"]["rate"])  # type: ignore[assignment, call-overload, index]  # not None on this path (set or checked before)
        except (TypeError, ValueError, KeyError):
            result["change"] = None
    return result


def counts_by_status(*, actor: Actor) -> dict[str, int]:
    rows = CorrectiveAction.objects.filter(visibility_q(actor)).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def user_by_id(pk, field: str = "owner"):
    """Resolve a user id from a form/API body (None for empty)."""
    if pk in (None, ""):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise field_error(field, _("%(field)s: unknown staff member.") % {"field": field}) from None
    user = get_user_model().objects.select_related("staff__department").filter(pk=pk).first()
    if user is None:
        raise field_error(field, _("%(field)s: unknown staff member.") % {"field": field})
    return user
