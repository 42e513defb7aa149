"""Who may read reports, and what a report covers: the scope (site, department, team, agent) and the
period parsed from query parameters, the orders and report facts of a scope, the scope choices, and
the transaction every report read runs in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.org.choices import RoleCode, Visibility
from kefu.org.selectors import Actor
from kefu.reports.metrics import Period
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import visibility_q

# Vendors see only the work dispatched to them: a department report is not theirs to read.
REPORT_DENIED_ROLES = (RoleCode.VENDOR,)
MAX_PERIOD_DAYS = 366 * 2


def require_report_actor(actor: Actor | None) -> Actor:
    if actor is None or actor.role in REPORT_DENIED_ROLES:
        raise NotAllowed(_("Your role may not read reports."))
    return actor


REPORT_WORK_MEM = "64MB"  # per sort/hash node of a report query, for its transaction only


def _report_transaction(fn):
    """Run a report read in one transaction with PostgreSQL's JIT off and work_mem raised. The
    report queries aggregate tens of thousands of rows with correlated subqueries, which pushes the
    planner's cost estimate past jit_above_cost; compiling them then took ~1 s per query against
    ~50 ms of execution (bench/reports.py). SET LOCAL lasts only for this transaction.

    Reports read from the read replica when one is configured and fresh enough
    (kefu.core.dbrouter): the transaction is opened on the database the reads go to."""
    import functools

    from django.db import connections, transaction

    from kefu.core.dbrouter import replica_reads

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with replica_reads() as alias:
            connection = connections[alias]
            if connection.vendor != "postgresql":
                return fn(*args, **kwargs)
            with transaction.atomic(using=alias):
                with connection.cursor() as cursor:
                    # work_mem: the per-order grouping of a month's ~200,000 clocks and the percentile
                    # sort spilled to disk at the 4 MB default (bench/reports.py explain).
                    cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                return fn(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Scope:
    """Which orders a report covers, on top of visibility: a site, a department subtree (team or
    intake department inside it), one team, one agent (first-contact owner)."""

    site_id: int | None = None
    department_id: int | None = None
    department_path: str = ""
    team_id: int | None = None
    agent_id: int | None = None
    labels: dict = field(default_factory=dict, compare=False, hash=False)

    def q(self) -> Q:
        q = Q()
        if self.site_id:
            q &= Q(site_id=self.site_id)
        if self.department_id:
            q &= Q(team__path__startswith=self.department_path) | Q(
                intake_department__path__startswith=self.department_path)
        if self.team_id:
            q &= Q(team_id=self.team_id)
        if self.agent_id:
            q &= Q(first_contact_owner_id=self.agent_id)
        return q

    def params(self) -> dict:
        return {k: v for k, v in (("site", self.site_id), ("department", self.department_id),
                                  ("team", self.team_id), ("agent", self.agent_id)) if v}


def _int(params, name: str, errors: dict):
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors[name] = [_("%(field)s must be a number.") % {"field": name}]
        return None


def parse_scope(params) -> Scope:
    """Scope from query parameters (`site`, `department`, `team`, `agent`); unknown ids → 400."""
    from django.contrib.auth import get_user_model

    from kefu.customers.models import Site
    from kefu.org.models import Department

    errors: dict = {}
    site_id, department_id = _int(params, "site", errors), _int(params, "department", errors)
    team_id, agent_id = _int(params, "team", errors), _int(params, "agent", errors)
    labels, path = {}, ""
    if site_id:
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            errors["site"] = [_("site: no such site.")]
        else:
            labels["site"] = str(site)
    if department_id:
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            errors["department"] = [_("department: no such department.")]
        else:
            labels["department"], path = department.name, department.path
    if team_id:
        team = Department.objects.filter(pk=team_id, kind="team").first()
        if team is None:
            errors["team"] = [_("team: no such team.")]
        else:
            labels["team"] = team.name
    if agent_id:
        user = get_user_model().objects.filter(pk=agent_id).select_related("staff").first()
        if user is None:
            errors["agent"] = [_("agent: no such user.")]
        else:
            staff = getattr(user, "staff", None)
            labels["agent"] = staff.display_name if staff else user.get_username()
    if errors:
        raise InvalidInput(_("Check the report scope."), fields=errors)
    return Scope(site_id=site_id, department_id=department_id, department_path=path, team_id=team_id,
                 agent_id=agent_id, labels=labels)


def _date(params, name: str, errors: dict) -> dt.date | None:
    value = (params.get(name) or "").strip()
    if not value:
        errors[name] = [_("%(field)s is required (YYYY-MM-DD).") % {"field": name}]
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = [_("%(field)s must be a date (YYYY-MM-DD).") % {"field": name}]
        return None


def site_timezone(scope: Scope) -> str:
    """The zone the period's dates are read in: the scoped site's, else the installation's."""
    from django.conf import settings

    from kefu.customers.models import Site

    if scope.site_id:
        tz = Site.objects.filter(pk=scope.site_id).values_list("timezone", flat=True).first()
        if tz:
            return tz
    return settings.TIME_ZONE


def parse_period(params, scope: Scope) -> Period:
    """Period from `start` and `end` (inclusive dates); missing, malformed or reversed → 400."""
    errors: dict = {}
    start, end = _date(params, "start", errors), _date(params, "end", errors)
    if start and end and end < start:
        errors["end"] = [_("end must not be before start.")]
    elif start and end and (end - start).days >= MAX_PERIOD_DAYS:
        errors["end"] = [_("end: a report covers at most two years.")]
    if errors:
        raise InvalidInput(_("Check the report period."), fields=errors)
    return Period(start, end, site_timezone(scope))  # type: ignore[arg-type]  # not None on this path (set or checked before)


def month_period(day: dt.date, tz: str = "Asia/Shanghai") -> Period:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, nxt - dt.timedelta(days=1), tz)


def _scoped(actor: Actor, scope: Scope) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(visibility_q(actor) & scope.q())


def _facts(actor: Actor, scope: Scope):
    """The report facts (ADR 0008) of the orders the actor may see in the scope: the order's
    visibility and scope columns are on the fact row under the same names."""
    from kefu.reports.models import OrderFact

    return OrderFact.objects.filter(visibility_q(actor) & scope.q())


def _orders_filter(actor: Actor, scope: Scope, scoped: QuerySet) -> QuerySet | None:
    """The orders a clock count must be limited to (`scoped`: the actor's report facts), or None
    when that is every order: an actor who sees everything, without a scope, needs no semi-join
    with a million rows (the planner hashes all of them otherwise). The facts carry the order's
    visibility columns and are a fraction of its width, so the semi-join reads less."""
    return None if actor.visibility == "all" and not scope.params() else scoped


def scope_options(*, actor: Actor | None, active_only: bool = True) -> dict[str, QuerySet]:
    """What `actor` may scope a report to — the choices of the report filters, the dashboard's
    and a schedule's form, and the rule the schedule services check for the schedule's owner
    (the figures are computed with the reader's visibility whatever the scope; this keeps the
    names of sites, teams and staff outside it off the page): `site` the sites they may see
    (kefu.customers.selectors.sites_for), `department` and `team` the departments and teams of
    their visibility subtree, `agent` the staff who are members of those departments (the rule of
    kefu.workorders.selectors.visibility_q). Visibility "all" sees every one; a user who sees only
    the work dispatched to them may name only themselves as the agent. An owner who is no longer
    active staff sees nothing. The form lists active rows only; the check also accepts a
    deactivated row inside the owner's visibility (deactivation is not this rule's business)."""
    from kefu.customers.models import Site
    from kefu.customers.selectors import sites_for
    from kefu.org.choices import DepartmentKind
    from kefu.org.models import Department, Staff
    from kefu.workorders.selectors import subtree_ids

    departments = Department.objects.all()
    staff = Staff.objects.select_related("user")
    if active_only:
        departments = departments.filter(is_active=True)
        staff = staff.filter(is_active=True, user__is_active=True)
    if actor is None:
        sites, departments, staff = Site.objects.none(), departments.none(), staff.none()
    else:
        # sites_for reads "no actor" as "sees every site": the None case is handled above.
        sites = sites_for(actor=actor)
        if actor.visibility != Visibility.ALL:
            ids = subtree_ids(actor)
            departments = departments.filter(pk__in=ids)
            if actor.visibility == Visibility.ASSIGNED:
                staff = staff.filter(user_id=actor.user_id)
            else:
                staff = staff.filter(department_id__in=ids)
    return {"site": sites,
            "department": departments.exclude(kind=DepartmentKind.TEAM).order_by("path"),
            "team": departments.filter(kind=DepartmentKind.TEAM).select_related("parent").order_by("path"),
            "agent": staff.order_by("employee_no")}
