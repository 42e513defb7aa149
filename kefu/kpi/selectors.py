"""Reads of KPI scorecards and reviews, always scoped to what the actor may see, and the
computed figures with the records behind them (the drill-down lists use the same querysets,
so a list's count equals its figure).

Visibility: everyone sees their own; supervisors, managers and directors also those of people
in their department subtree ("my team's"); administrators all. Not visible → NotFound (404).
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.kpi.choices import PERCENT_SOURCES, Source
from kefu.kpi.models import CompetencyReview, Indicator, ReviewForm, Scorecard, ScorecardLine
from kefu.kpi.scoring import q2
from kefu.org.choices import RoleCode
from kefu.org.models import Department, Staff
from kefu.org.selectors import Actor
from kefu.workorders.selectors import subtree_ids

LEAD_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR})
SATISFIED_OUTCOMES = ("very_satisfied", "satisfied")


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day of the next quarter) of a calendar quarter."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(end, time.min, tzinfo=zone)


# --- visibility ---------------------------------------------------------------------------------

def visibility_q(actor: Actor) -> Q:
    if actor.role == RoleCode.ADMINISTRATOR:
        return Q()
    mine = Q(person_id=actor.user_id)
    if actor.role in LEAD_ROLES:
        return mine | Q(department_id__in=subtree_ids(actor))
    return mine


def _users():
    return get_user_model().objects.select_related("staff__role")


def scorecard_list_for_actor(*, actor: Actor) -> QuerySet[Scorecard]:
    return (Scorecard.objects.filter(visibility_q(actor)).select_related("template", "department")
            .prefetch_related(Prefetch("person", queryset=_users()), Prefetch("signed_off_by", queryset=_users())))


def my_scorecards(*, actor: Actor) -> QuerySet[Scorecard]:
    return scorecard_list_for_actor(actor=actor).filter(person_id=actor.user_id).order_by("-year", "-quarter", "id")


def team_scorecards(*, actor: Actor) -> QuerySet[Scorecard]:
    """Scorecards of the people in the actor's department subtree, not the actor's own."""
    return (scorecard_list_for_actor(actor=actor).exclude(person_id=actor.user_id)
            .order_by("-year", "-quarter", "department__path", "person_id"))


def scorecard_get_for_actor(*, actor: Actor, pk) -> Scorecard:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Scorecard not found.")) from None
    scorecard = scorecard_list_for_actor(actor=actor).filter(pk=pk).first()
    if scorecard is None:
        raise NotFound(_("Scorecard not found."))
    return scorecard


def scorecard_lines(*, scorecard: Scorecard) -> list[ScorecardLine]:
    return list(scorecard.lines.select_related("indicator", "entered_by__staff").order_by("indicator__position",
                                                                                           "indicator_id"))


def scorecard_events(*, scorecard: Scorecard):
    return scorecard.events.select_related("actor__staff").order_by("created_at", "id")


def is_over(actor: Actor, department: Department) -> bool:
    """Does the department lie in the actor's subtree (administrators: everywhere)?"""
    if actor.role == RoleCode.ADMINISTRATOR:
        return True
    return bool(actor.department_path) and department.path.startswith(actor.department_path)


def may_enter(actor: Actor, scorecard: Scorecard, indicator: Indicator) -> bool:
    """Manual values: the indicator's entering role over the person's department, never the person."""
    if indicator.source != Source.MANUAL or scorecard.is_locked or actor.user_id == scorecard.person_id:
        return False
    if actor.role != RoleCode.ADMINISTRATOR and actor.role != indicator.entered_by_role:
        return False
    return is_over(actor, scorecard.department)


def _role_rank(user) -> int:
    staff = getattr(user, "staff", None)
    return staff.role.rank if staff is not None else 0


def may_sign_off(actor: Actor, scorecard: Scorecard) -> bool:
    """A lead ranked above the person, over the person's department; never the person."""
    if scorecard.is_locked or actor.user_id == scorecard.person_id:
        return False
    if actor.role == RoleCode.ADMINISTRATOR:
        return True
    rank = actor.staff.role.rank if actor.staff else 0
    return actor.role in LEAD_ROLES and rank > _role_rank(scorecard.person) and is_over(actor, scorecard.department)


# --- computed figures and their records -------------------------------------------------------------

def _order_scope(scorecard: Scorecard) -> tuple[Q, list[int] | None]:
    """Work orders counted for the person: a lead's whole department subtree (team or intake),
    anyone else's own orders (received as first-contact owner, or assigned)."""
    role = getattr(getattr(scorecard.person, "staff", None), "role", None)
    if role is not None and role.code in LEAD_ROLES:
        ids = list(Department.objects.filter(path__startswith=scorecard.department.path).values_list("pk", flat=True))
        return Q(team_id__in=ids) | Q(intake_department_id__in=ids), ids
    person = scorecard.person_id
    return Q(first_contact_owner_id=person) | Q(assignee_id=person), None


def _orders(scorecard: Scorecard, indicator: Indicator):
    from kefu.workorders.models import WorkOrder

    q, _ids = _order_scope(scorecard)
    qs = WorkOrder.objects.filter(q)
    if indicator.order_type:
        qs = qs.filter(type=indicator.order_type)
    return qs


def satisfaction_records(scorecard: Scorecard, indicator: Indicator):
    """Callbacks completed in the period with an outcome, about orders in the person's scope."""
    from kefu.callbacks.models import Callback

    start, end = local_range(scorecard.period_start, scorecard.period_end)
    return (Callback.objects.filter(status="completed", completed_at__gte=start, completed_at__lt=end,
                                    work_order__in=_orders(scorecard, indicator)).exclude(outcome="")
            .select_related("work_order").order_by("completed_at", "id"))


def _on_time_period(scorecard: Scorecard, now=None) -> dict:
    start, end = local_range(scorecard.period_start, scorecard.period_end)
    return {"kind": "resolution", "start": start, "end": end, "now": now or timezone.now()}


def on_time_records(scorecard: Scorecard, indicator: Indicator, now=None):
    """The work orders behind the on-time line (ADR 0007: counted per order, as the reports count
    `resolution_on_time_rate`): orders in the person's scope with a resolution clock decided in the
    period — the denominator. Each carries `sla_late` (a clock of the period breached; the others
    are the numerator) and `period_clocks`, its resolution clocks of the period with `shown_state`
    (a running clock past due reads as breached)."""
    from django.db.models import Case, F, Value, When

    from kefu.sla import selectors as sla
    from kefu.sla.models import SlaClock

    period = _on_time_period(scorecard, now)
    kind, start, end, now = period["kind"], period["start"], period["end"], period["now"]
    clocks = (SlaClock.objects.filter(sla.clock_in_period_q(start=start, end=end), kind=kind)
              .annotate(shown_state=Case(When(stopped_at=None, due_at__lt=now, then=Value("breached")),
                                         default=F("state")))
              .order_by("started_at", "id"))
    return (_orders(scorecard, indicator).filter(sla.on_time_order_q(**period))
            .annotate(sla_late=sla.order_has_clock(kind=kind, start=start, end=end,
                                                   condition=sla.clock_breached_q(now=now)))
            .prefetch_related(Prefetch("clocks", queryset=clocks, to_attr="period_clocks"))
            .order_by("received_at", "id"))


def qa_records(scorecard: Scorecard, indicator: Indicator):
    from kefu.quality.selectors import counted_checks

    _q, ids = _order_scope(scorecard)
    scope = {"department_ids": ids} if ids is not None else {"agent_id": scorecard.person_id}  # type: ignore[dict-item]  # values of several types in one dict or variable
    return (counted_checks(start=scorecard.period_start, end=scorecard.period_end, **scope)  # type: ignore[arg-type]  # not None on this path (set or checked before)
            .select_related("work_order", "agent__staff").order_by("week_start", "id"))


def indicator_figure(scorecard: Scorecard, indicator: Indicator, now=None) -> dict:
    """{"value", "numerator", "denominator"} for a computed indicator; value None without data.
    Shares come back in percent (92.5), QA averages in points."""
    from kefu.sla.selectors import on_time_rate

    source = indicator.source
    if source == Source.SATISFACTION:
        row = satisfaction_records(scorecard, indicator).aggregate(
            n=Count("id"), ok=Count("id", filter=Q(outcome__in=SATISFIED_OUTCOMES)))
        num, den = row["ok"], row["n"]
    elif source == Source.ON_TIME_RATE:
        row = on_time_rate(**_on_time_period(scorecard, now), orders=_orders(scorecard, indicator))
        num, den = row["numerator"], row["denominator"]
    elif source in (Source.QA_AVERAGE, Source.QA_PASS_RATE):
        checks = list(qa_records(scorecard, indicator).values_list("score", "passed"))
        den = len(checks)
        num = sum(s for s, _p in checks) if source == Source.QA_AVERAGE else sum(1 for _s, p in checks if p)
    else:
        return {"value": None, "numerator": None, "denominator": None}
    if not den:
        return {"value": None, "numerator": num, "denominator": den}
    scale = 100 if source in PERCENT_SOURCES else 1
    return {"value": q2(Decimal(num) * scale / Decimal(den)), "numerator": num, "denominator": den}


def drilldown_records(scorecard: Scorecard, indicator: Indicator):
    """(kind, queryset) of the records behind a computed indicator; (None, None) for manual ones."""
    if indicator.source == Source.SATISFACTION:
        return "callbacks", satisfaction_records(scorecard, indicator)
    if indicator.source == Source.ON_TIME_RATE:
        return "work_orders", on_time_records(scorecard, indicator)
    if indicator.source in (Source.QA_AVERAGE, Source.QA_PASS_RATE):
        return "qa_checks", qa_records(scorecard, indicator)
    return None, None


# --- staff and reviews ----------------------------------------------------------------------------

def staff_for_template(template) -> QuerySet[Staff]:
    qs = Staff.objects.filter(role__code=template.role, is_active=True, user__is_active=True)
    if template.position_id:
        qs = qs.filter(position_id=template.position_id)
    return qs.select_related("user", "department").order_by("employee_no")


def review_list_for_actor(*, actor: Actor) -> QuerySet[CompetencyReview]:
    return (CompetencyReview.objects.filter(visibility_q(actor)).select_related("form", "department")
            .prefetch_related(Prefetch("person", queryset=_users()), Prefetch("reviewer", queryset=_users()))
            .order_by("-year", "-half", "person_id"))


def review_form_for(staff: Staff) -> ReviewForm | None:
    return ReviewForm.objects.filter(role=staff.role.code).prefetch_related("items").order_by("code").first()


def reviewable_staff(*, actor: Actor) -> QuerySet[Staff]:
    """People the actor may review: staff of a role with a review form, ranked below the actor,
    in the actor's subtree (administrators: everyone)."""
    roles = list(ReviewForm.objects.values_list("role", flat=True))
    qs = Staff.objects.filter(role__code__in=roles, is_active=True).exclude(user_id=actor.user_id)
    if actor.role != RoleCode.ADMINISTRATOR:
        rank = actor.staff.role.rank if actor.staff else 0
        qs = qs.filter(role__rank__lt=rank, department__path__startswith=actor.department_path or "/-/")
    return qs.select_related("user", "role", "department").order_by("employee_no")


def current_quarter(today: date | None = None) -> tuple[int, int]:
    return quarter_of(today or timezone.localdate())
