"""Reads of QA checks, always scoped to what the actor may see.

QA (and administrators) see every check; supervisors, managers and directors the checks of
agents in their department subtree (plus their own); everyone else only their own checks.
Not visible → NotFound (404), never 403.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.choices import RoleCode
from kefu.org.models import Staff
from kefu.org.selectors import Actor
from kefu.quality import workflow
from kefu.quality.choices import COUNTED_STATUSES
from kefu.quality.models import QACheck, QACheckEvent, QAForm
from kefu.workorders.selectors import subtree_ids

SEE_ALL_ROLES = frozenset({RoleCode.QA, RoleCode.ADMINISTRATOR})
LEAD_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR})
# Whose orders are sampled each week: the agents (front desk and hotline).
SAMPLED_ROLES = (RoleCode.AGENT,)


def active_form() -> QAForm | None:
    return QAForm.objects.filter(is_active=True).prefetch_related("items").order_by("code").first()


def visibility_q(actor: Actor) -> Q:
    if actor.role in SEE_ALL_ROLES:
        return Q()
    mine = Q(agent_id=actor.user_id)
    if actor.role in LEAD_ROLES:
        return mine | Q(department_id__in=subtree_ids(actor))
    return mine


def can_see(actor: Actor, check: QACheck) -> bool:
    if actor.role in SEE_ALL_ROLES or check.agent_id == actor.user_id:
        return True
    return actor.role in LEAD_ROLES and check.department_id in set(subtree_ids(actor))


def _users():
    return get_user_model().objects.select_related("staff")


def check_list_for_actor(*, actor: Actor) -> QuerySet[QACheck]:
    return (QACheck.objects.filter(visibility_q(actor))
            .select_related("work_order", "work_order__category", "department", "form")
            .prefetch_related(Prefetch("agent", queryset=_users()), Prefetch("scored_by", queryset=_users())))


def check_get_for_actor(*, actor: Actor, pk) -> QACheck:
    """The check with id `pk` if the actor may see it; NotFound otherwise (no existence leak)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("QA check not found.")) from None
    check = check_list_for_actor(actor=actor).filter(pk=pk).first()
    if check is None:
        raise NotFound(_("QA check not found."))
    return check


def check_events(*, check: QACheck) -> QuerySet[QACheckEvent]:
    return check.events.select_related("actor__staff").order_by("created_at", "id")


def check_item_scores(*, check: QACheck) -> list[dict]:
    """Every item of the check's form with its weight, points and remark (None before scoring)."""
    scores = {s.item_id: s for s in check.item_scores.all()}
    return [{"item": item, "weight": item.weight, "points": getattr(scores.get(item.pk), "points", None),
             "remark": getattr(scores.get(item.pk), "remark", "")} for item in check.form.items.all()]


def is_own_work(actor: Actor, check: QACheck) -> bool:
    return check.agent_id == actor.user_id


def check_available_actions(*, actor: Actor, check: QACheck) -> list[str]:
    """Actions the actor may take on the check now (what the UI shows as buttons)."""
    if not can_see(actor, check):
        return []
    result = []
    for name in workflow.ACTION_NAMES:
        if workflow.check(action=name, status=check.status, role=actor.role) is not None:
            continue
        if name == "appeal":
            if not is_own_work(actor, check):
                continue
        elif is_own_work(actor, check):
            continue
        if name in workflow.DECIDE_ACTIONS and check.scored_by_id == actor.user_id:
            continue
        if name == "raise_corrective_action" and (check.passed is not False or check.corrective_action_id):
            continue
        result.append(name)
    return result


def counts_by_status(*, actor: Actor) -> dict[str, int]:
    rows = QACheck.objects.filter(visibility_q(actor)).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def agent_choices(*, actor: Actor) -> QuerySet[Staff]:
    """Agents whose checks the actor may filter by."""
    qs = Staff.objects.filter(role__code__in=SAMPLED_ROLES).select_related("user", "department")
    if actor.role in SEE_ALL_ROLES:
        return qs.order_by("employee_no")
    if actor.role in LEAD_ROLES:
        return qs.filter(Q(department_id__in=subtree_ids(actor)) | Q(user_id=actor.user_id)).order_by("employee_no")
    return qs.filter(user_id=actor.user_id)


def sampling_population(*, agent_id: int, start, end) -> list[int]:
    """Ids of the orders the agent received (first-contact owner) in [start, end), not cancelled."""
    from kefu.workorders.choices import Status as OrderStatus
    from kefu.workorders.models import WorkOrder

    return list(WorkOrder.objects.filter(first_contact_owner_id=agent_id, received_at__gte=start,
                                         received_at__lt=end).exclude(status=OrderStatus.CANCELLED)
                .values_list("pk", flat=True))


def sampled_agents() -> QuerySet[Staff]:
    return (Staff.objects.filter(role__code__in=SAMPLED_ROLES, is_active=True, user__is_active=True)
            .select_related("user", "department").order_by("employee_no"))


# --- figures for KPI scorecards ---------------------------------------------------------------

def counted_checks(*, start: date, end: date, agent_id: int | None = None,
                   department_ids: list[int] | None = None) -> QuerySet[QACheck]:
    """Scored checks (appeals still open left out) of sample weeks starting in [start, end), of
    one agent or of the agents of some departments: the records behind QA averages and pass rates."""
    qs = QACheck.objects.filter(status__in=COUNTED_STATUSES, week_start__gte=start, week_start__lt=end)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    return qs


def qa_average(**scope) -> dict:
    """{"numerator": Σ score, "denominator": checks, "rate": average score (0–100) or None}."""
    qs = counted_checks(**scope)
    row = qs.aggregate(n=Count("id"), avg=Avg("score"))
    total = sum(qs.values_list("score", flat=True)) if row["n"] else 0  # type: ignore[arg-type]  # not None on this path (set or checked before)
    return {"numerator": total, "denominator": row["n"], "rate": row["avg"] if row["n"] else None}


def qa_pass_rate(**scope) -> dict:
    """{"numerator": passed checks, "denominator": checks, "rate": share passed or None}."""
    row = counted_checks(**scope).aggregate(n=Count("id"), passed=Count("id", filter=Q(passed=True)))
    return {"numerator": row["passed"], "denominator": row["n"],
            "rate": row["passed"] / row["n"] if row["n"] else None}

