"""Report reads: the service analysis, the complaint / inquiry / business-change reports, the duty
log, the dashboard and the drill-down lists behind every figure — always scoped to the orders the
actor may see (kefu.workorders.selectors.visibility_q).

Every figure is counted in the database with conditional aggregates over one basis (see
metrics.py); the drill-down list of a figure applies the same basis and condition, so its count is
the figure. Query budget of one service analysis: ~15 queries (one for the survey campaigns), whatever
the size of the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.org.choices import RoleCode, Visibility
from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.workorders.choices import OPEN_STATUSES, Channel, Status, WorkOrderType
from kefu.workorders.models import WorkOrder, WorkOrderEvent
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


# --- scope and period -----------------------------------------------------------------------------

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
    return Period(start, end, site_timezone(scope))


def month_period(day: dt.date, tz: str = "Asia/Shanghai") -> Period:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, nxt - dt.timedelta(days=1), tz)


# --- drill-down --------------------------------------------------------------------------------------

def drill_params(*, period: Period, scope: Scope, basis: str, condition: str = "all", kind: str = "",
                 **extra) -> dict:
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "basis": basis}
    if condition != "all":
        params["condition"] = condition
    if kind:
        params["kind"] = kind
    params.update(scope.params())
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return params


def drill_url(params: dict, *, api: bool = False) -> str:
    name = "api-report-orders" if api else "reports:orders"
    return f"{reverse(name)}?{urlencode(params)}"


DRILL_EXTRA = ("type", "channel", "category", "site_of", "team_of", "level", "status")


def drill_orders(*, actor: Actor, params, now=None) -> tuple[QuerySet[WorkOrder], dict]:
    """The orders behind a figure: the visible orders matching the parameters a figure's URL
    carries (period, scope, basis, condition, breakdown value). Bad parameters → InvalidInput."""
    require_report_actor(actor)
    now = now or timezone.now()
    scope = parse_scope(params)
    period = parse_period(params, scope)
    basis = params.get("basis") or "received"
    condition = params.get("condition") or "all"
    kind = params.get("kind") or ""
    errors = {}
    if basis not in metrics.BASES:
        errors["basis"] = [_("basis must be one of %(values)s.") % {"values": ", ".join(metrics.BASES)}]
    if condition not in metrics.CONDITIONS:
        errors["condition"] = [_("condition: unknown condition.")]
    if (basis == "clock" or condition.startswith("sla_")) and kind not in metrics.CLOCK_KINDS:
        errors["kind"] = [_("kind must be one of %(values)s.") % {"values": ", ".join(metrics.CLOCK_KINDS)}]
    if (condition.startswith(("callback_", "rated", "satisfied"))) and not metrics.callbacks_installed():
        errors["condition"] = [_("condition: callbacks are not installed.")]
    if errors:
        raise InvalidInput(_("Check the drill-down parameters."), fields=errors)
    q = visibility_q(actor) & scope.q() & metrics.basis_q(basis, period, now, kind) & metrics.condition_q(
        condition, period, now, kind)
    extra = {}
    for name in DRILL_EXTRA:
        value = (params.get(name) or "").strip()
        if value:
            extra[name] = value
    if "type" in extra:
        q &= Q(type=extra["type"])
    if "channel" in extra:
        q &= Q(channel=extra["channel"])
    if "category" in extra:
        q &= Q(category__code=extra["category"])
    if "site_of" in extra:
        q &= Q(site__isnull=True) if extra["site_of"] == "none" else Q(site_id=_as_int(extra["site_of"], "site_of"))
    if "team_of" in extra:
        q &= Q(team__isnull=True) if extra["team_of"] == "none" else Q(team_id=_as_int(extra["team_of"], "team_of"))
    if "level" in extra:
        q &= Q(complaint_level=_as_int(extra["level"], "level"))
    if "status" in extra:
        q &= Q(status=extra["status"])
    from kefu.workorders.selectors import work_order_list_for_actor

    qs = work_order_list_for_actor(actor=actor).filter(q).order_by("-received_at", "-id")
    return qs, {"period": period, "scope": scope, "basis": basis, "condition": condition, "kind": kind, **extra}


def _as_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(_("%(field)s must be a number.") % {"field": name},
                           fields={name: [_("%(field)s must be a number.") % {"field": name}]}) from None


# --- figures ------------------------------------------------------------------------------------------

def _rate(numerator: int, denominator: int, num_params: dict, den_params: dict) -> dict:
    return {"numerator": numerator, "denominator": denominator,
            "rate": round(numerator / denominator, 4) if denominator else None,
            "numerator_url": drill_url(num_params), "denominator_url": drill_url(den_params)}


def _counts(qs: QuerySet, conditions: dict[str, Q]) -> dict[str, int]:
    # Aliased: a count may share its name with a fact column ("rated").
    row = qs.aggregate(**{f"n_{name}": Count("pk", filter=cond) for name, cond in conditions.items()})
    return {name: row[f"n_{name}"] for name in conditions}


def _group(qs: QuerySet, column: str) -> list[tuple]:
    return list(qs.values_list(column).annotate(n=Count("pk")).order_by("-n", column))


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


def _labels(choices) -> dict:
    return {str(value): str(label) for value, label in choices}


@_report_transaction
def service_analysis(*, actor: Actor, period: Period, scope: Scope, now=None, summary_only: bool = False) -> dict:
    """Every figure of the service analysis for one period and scope (see docs/metrics.md).

    `summary_only` (the comparison columns) skips the breakdowns, business times and backlog."""
    from kefu.sla.selectors import clock_report_figures

    require_report_actor(actor)
    now = now or timezone.now()
    facts = _facts(actor, scope)
    c = metrics.fact_condition_q

    def dp(basis, condition="all", kind="", **extra):
        return drill_params(period=period, scope=scope, basis=basis, condition=condition, kind=kind, **extra)

    # Orders received and resolved in the period are counted from their report facts (one narrow
    # row per order, ADR 0008); the drill-down lists read the orders with the same definitions.
    received = facts.filter(metrics.basis_q("received", period, now))
    conditions = {name: c(name, period, now) for name in (
        "all", "not_cancelled", "fcr", "ever_resolved", "reopened", "complaint", "repeat_complaint", "closed_3d")}
    if summary_only:
        counts, combos = _counts(received, conditions), None
    else:
        # The breakdowns' GROUP BY carries the conditional counts too, so the period's orders are
        # read once for both (they are ~100,000 scattered rows in a busy month).
        combos = list(received.order_by().values_list(*BREAKDOWN_COLUMNS).annotate(
            **{f"n_{name}": Count("pk", filter=cond) for name, cond in conditions.items()}))
        first = len(BREAKDOWN_COLUMNS)
        counts = {name: sum(combo[first + i] for combo in combos) for i, name in enumerate(conditions)}
    result: dict = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "timezone": period.timezone},
        "scope": {**scope.params(), "labels": scope.labels},
        "total": counts["all"], "total_url": drill_url(dp("received")),
    }
    if combos is not None:
        result.update(_breakdowns(combos=combos, total=counts["all"], dp=dp))
    result["fcr_rate"] = _rate(counts["fcr"], counts["not_cancelled"], dp("received", "fcr"),
                               dp("received", "not_cancelled"))
    result["reopen_rate"] = _rate(counts["reopened"], counts["ever_resolved"], dp("received", "reopened"),
                                  dp("received", "ever_resolved"))
    result["repeat_complaint_rate"] = _rate(counts["repeat_complaint"], counts["complaint"],
                                            dp("received", "repeat_complaint"), dp("received", "complaint"))
    result["closed_3d_rate"] = _rate(counts["closed_3d"], counts["complaint"], dp("received", "closed_3d"),
                                     dp("received", "complaint"))
    clock_orders = _orders_filter(actor, scope, facts)
    if summary_only:
        clock_rows = clock_counts(scoped=clock_orders, period=period, now=now)
    else:
        # One read of the period's clocks for both the on-time rates and the business times.
        clock_rows, stats = clock_report_figures(
            kinds=metrics.CLOCK_KINDS, start=period.since, end=period.until, now=now,
            **_clock_order_filters(clock_orders, period))
        for kind in metrics.CLOCK_KINDS:
            result[f"{kind}_business_minutes"] = stats[kind]
    result.update(_clock_figures(rows=clock_rows, period=period, scope=scope))
    if metrics.callbacks_installed():
        rc = resolved_counts(facts.filter(metrics.basis_q("resolved", period, now)), period=period, now=now)
        result["resolved_total"] = rc["all"]
        result["callback_coverage"] = _rate(rc["callback_completed"], rc["callback_due"],
                                            dp("resolved", "callback_completed"), dp("resolved", "callback_due"))
        result["callback_reach_rate"] = _rate(rc["callback_completed"], rc["callback_ended"],
                                              dp("resolved", "callback_completed"), dp("resolved", "callback_ended"))
        result["callback_satisfaction_rate"] = _rate(rc["callback_satisfied"], rc["callback_completed"],
                                                     dp("resolved", "callback_satisfied"),
                                                     dp("resolved", "callback_completed"))
        result["satisfaction_rate"] = _rate(rc["satisfied"], rc["rated"], dp("resolved", "satisfied"),
                                            dp("resolved", "rated"))
        result["satisfaction_rate"]["response_rate"] = _rate(rc["rated"], rc["all"], dp("resolved", "rated"),
                                                             dp("resolved"))
    # Survey campaigns beside the per-order ratings: one query (kefu.surveys.selectors).
    result["campaign_satisfaction"] = campaign_satisfaction(actor=actor, period=period, scope=scope)
    result["complaint_rate"] = _complaint_rate(scope=scope, complaints=counts["complaint"],
                                               url=drill_url(dp("received", "complaint")))
    if summary_only:
        return result
    result["backlog"] = backlog(actor=actor, scope=scope, period=period, now=now)
    return result


BREAKDOWN_COLUMNS = ("type", "channel", "category_id", "site_id", "team_id")


def _breakdowns(*, combos: list[tuple], total: int, dp) -> dict:
    """Orders received per type, channel, category (Pareto), site and team, each with its list,
    summed from `combos`: one GROUP BY over BREAKDOWN_COLUMNS (a few thousand combinations; the
    first count after the columns is all orders) instead of five scans of the period's orders."""
    from kefu.customers.models import Site
    from kefu.org.models import Department
    from kefu.workorders.models import Category

    result: dict = {}
    categories = {pk: (code, name, name_en) for pk, code, name, name_en in Category.objects.filter(
        pk__in={c[2] for c in combos}).values_list("pk", "code", "name", "name_en")}

    def grouped(column):
        sums: dict = {}
        for combo in combos:
            key = categories[combo[2]][0] if column == 2 else combo[column]
            sums[key] = sums.get(key, 0) + combo[5]
        return sorted(sums.items(), key=lambda kv: (-kv[1], str(kv[0])))

    type_labels, channel_labels = _labels(WorkOrderType.choices), _labels(Channel.choices)
    by_type = grouped(0)
    result["by_type"] = {k: n for k, n in by_type}
    result["by_type_detail"] = [{"code": k, "label": type_labels.get(k, k), "count": n,
                                 "url": drill_url(dp("received", type=k))} for k, n in by_type]
    by_channel = grouped(1)
    result["by_channel"] = {k: n for k, n in by_channel}
    result["by_channel_detail"] = [{"code": k, "label": channel_labels.get(k, k), "count": n,
                                    "url": drill_url(dp("received", channel=k))} for k, n in by_channel]
    by_category = grouped(2)
    names = {code: (name, name_en) for code, name, name_en in categories.values()}
    result["by_category"] = {k: n for k, n in by_category}
    running, pareto = 0, []
    for code, n in by_category:
        running += n
        name, name_en = names.get(code, (code, ""))
        pareto.append({"code": code, "label": _category_label(name, name_en), "count": n,
                       "share": round(n / total, 4) if total else None,
                       "cumulative_share": round(running / total, 4) if total else None,
                       "url": drill_url(dp("received", category=code))})
    result["by_category_detail"] = pareto
    by_site = grouped(3)
    site_names = dict(Site.objects.filter(pk__in=[k for k, _n in by_site if k]).values_list("pk", "name"))
    result["by_site"] = [{"id": k, "label": site_names.get(k, _("No site")), "count": n,
                          "url": drill_url(dp("received", site_of=k or "none"))} for k, n in by_site]
    by_team = grouped(4)
    team_names = dict(Department.objects.filter(pk__in=[k for k, _n in by_team if k]).values_list("pk", "name"))
    result["by_team"] = [{"id": k, "label": team_names.get(k, _("Not dispatched")), "count": n,
                          "url": drill_url(dp("received", team_of=k or "none"))} for k, n in by_team]
    return result


RESOLVED_CONDITIONS = ("callback_due", "callback_completed", "callback_ended", "callback_satisfied", "rated",
                       "satisfied")


def resolved_counts(resolved_facts: QuerySet, *, period: Period, now) -> dict:
    """Callback and rating counts over the orders resolved in a period, per order: one aggregate
    over their report facts (the flags are metrics.condition_q's, stored per order)."""
    return _counts(resolved_facts, {"all": Q(), **{name: metrics.fact_condition_q(name, period, now)
                                                   for name in RESOLVED_CONDITIONS}})


# --- survey campaigns ------------------------------------------------------------------------------------

def survey_drill_params(*, period: Period, scope: Scope, records: str, campaign_id: int | None = None) -> dict:
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "records": records}
    params.update(scope.params())
    if campaign_id:
        params["campaign"] = campaign_id
    return params


def survey_drill_url(params: dict) -> str:
    return f"{reverse('reports:survey_records')}?{urlencode(params)}"


def _survey_rate(numerator: int, denominator: int, num_params: dict, den_params: dict) -> dict:
    """A rate rounded the way kefu.surveys.selectors.campaign_results rounds it (4 places, half up),
    so a one-campaign period shows the campaign page's number exactly."""
    from decimal import ROUND_HALF_UP, Decimal

    rate = None
    if denominator:
        rate = float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    return {"numerator": numerator, "denominator": denominator, "rate": rate,
            "numerator_url": survey_drill_url(num_params), "denominator_url": survey_drill_url(den_params)}


def campaign_satisfaction(*, actor: Actor, period: Period, scope: Scope) -> dict | None:
    """满意率 and 参评率 of the survey campaigns whose answering window ended in the period (see
    docs/metrics.md `campaign_satisfaction`), with a row per campaign; every count links to the
    invitations or answers behind it. None when the reader may not read survey results, when the
    surveys app is absent, or for a team or agent scope (campaigns ask units and customers, not a
    team's orders). One query."""
    if not metrics.surveys_installed() or scope.team_id or scope.agent_id:
        return None
    from kefu.surveys import selectors as surveys
    from kefu.surveys.choices import CampaignStatus

    data = surveys.campaign_satisfaction(actor=actor, start=period.start, end=period.end, site_id=scope.site_id,
                                         department_path=scope.department_path if scope.department_id else "")
    if data is None:
        return None

    def rates(counts: dict, campaign_id=None) -> tuple[dict, dict]:
        def dp(records):
            return survey_drill_params(period=period, scope=scope, records=records, campaign_id=campaign_id)

        return (_survey_rate(counts["satisfied"], counts["valid"], dp("satisfied"), dp("valid")),
                _survey_rate(counts["responded"], counts["invited"], dp("responded"), dp("invited")))

    statuses = _labels(CampaignStatus.choices)
    result, response = rates(data)
    result["response_rate"] = response
    result["campaigns"] = []
    for row in data["campaigns"]:
        satisfaction, response = rates(row, row["id"])
        result["campaigns"].append({
            "id": row["id"], "name": row["name"], "status": row["status"],
            "status_label": statuses.get(row["status"], row["status"]),
            "starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat(),
            "closed_on": row["closed_on"].isoformat() if row["closed_on"] else None,
            "window_end": row["window_end"].isoformat(), "satisfied_min": row["satisfied_min"],
            "url": reverse("surveys:detail", args=[row["id"]]),
            "satisfaction_rate": satisfaction, "response_rate": response})
    return result


def drill_survey_records(*, actor: Actor, params) -> tuple[QuerySet, dict]:
    """The invitations or answers behind a campaign_satisfaction number (the parameters its URL
    carries: period, scope, `records`, optionally `campaign`). Bad parameters → InvalidInput; a
    role that may not read survey results → NotAllowed; a campaign the reader may not see → NotFound."""
    require_report_actor(actor)
    if not metrics.surveys_installed():
        raise NotFound(_("Survey campaigns are not installed."))
    from kefu.surveys import selectors as surveys

    if not surveys.may_view(actor):
        raise NotAllowed(_("Your role may not read survey results."))
    scope = parse_scope(params)
    period = parse_period(params, scope)
    errors: dict = {}
    records = (params.get("records") or "").strip()
    if records not in surveys.SATISFACTION_RECORDS:
        errors["records"] = [_("records must be one of %(values)s.") % {
            "values": ", ".join(surveys.SATISFACTION_RECORDS)}]
    for name, value in (("team", scope.team_id), ("agent", scope.agent_id)):
        if value:
            errors[name] = [_("%(field)s: survey campaigns are not counted per team or agent.") % {"field": name}]
    campaign_id = _int(params, "campaign", errors)
    if errors:
        raise InvalidInput(_("Check the drill-down parameters."), fields=errors)
    campaign = surveys.campaign_get_for_actor(actor=actor, pk=campaign_id) if campaign_id else None
    qs = surveys.campaign_satisfaction_records(
        actor=actor, start=period.start, end=period.end, records=records, site_id=scope.site_id,
        department_path=scope.department_path if scope.department_id else "", campaign_id=campaign_id)
    return qs, {"period": period, "scope": scope, "records": records, "campaign": campaign}


def _category_label(name: str, name_en: str) -> str:
    from kefu.core.i18n import localised

    return localised(name, name_en)


def _clock_order_filters(facts: QuerySet | None, period: Period) -> dict:
    """The `orders` and `stopped_orders` arguments of the SLA clock selectors for these report
    facts (None: every order). A clock stopped in the period stopped in a work-order event, which
    set the order's updated_at (OrderFact.updated_at), so the stopped clocks' semi-join reads only
    the orders changed since the period began (~150,000 of 1M for last month), not all the actor
    sees; the running clocks due in the period are checked against all of them."""
    if facts is None:
        return {"orders": None, "stopped_orders": None}
    return {"orders": facts.values("pk"), "stopped_orders": facts.filter(updated_at__gte=period.since).values("pk")}


def clock_counts(*, scoped: QuerySet | None, period: Period, now) -> dict[str, dict]:
    """Per clock kind: orders with a clock decided in the period, and those with a breached one —
    the SLA app's per-order count (ADR 0007), the same the KPI on-time line reads. `scoped`: report
    facts (`_facts`), None for every order (see `_orders_filter`)."""
    from kefu.sla.selectors import on_time_counts

    return on_time_counts(kinds=metrics.CLOCK_KINDS, start=period.since, end=period.until, now=now,
                          **_clock_order_filters(scoped, period))


def _clock_figures(*, rows: dict[str, dict], period: Period, scope: Scope) -> dict:
    """On-time rates per clock kind from `clock_counts` rows, counted per order (see metrics.py)."""
    out = {}
    for kind, row in rows.items():
        decided, breached = row["decided"], row["breached"]

        def dp(condition, kind=kind):
            return drill_params(period=period, scope=scope, basis="clock", condition=condition, kind=kind)

        rate = _rate(decided - breached, decided, dp("sla_met"), dp("all"))
        rate["breached"] = breached
        rate["breached_url"] = drill_url(dp("sla_breached"))
        out[f"{kind}_on_time_rate"] = rate
    return out


def _complaint_rate(*, scope: Scope, complaints: int, url: str) -> dict:
    from kefu.customers.models import Customer, Site

    sites = Site.objects.all()
    customers = Customer.objects.all()
    if scope.site_id:
        sites = sites.filter(pk=scope.site_id)
        customers = customers.filter(asset_links__asset__site_id=scope.site_id,
                                     asset_links__ended_on__isnull=True).distinct()
    units = sites.aggregate(n=Sum("unit_count"))["n"] or 0
    customer_count = customers.count()
    return {"complaints": complaints, "units": units, "customers": customer_count, "url": url,
            "per_1000_units": round(1000 * complaints / units, 2) if units else None,
            "per_1000_customers": round(1000 * complaints / customer_count, 2) if customer_count else None}


def backlog(*, actor: Actor, scope: Scope, period: Period, now=None) -> dict:
    """Open orders now in the scope, by age bucket (one query)."""
    now = now or timezone.now()
    qs = _scoped(actor, scope).filter(status__in=OPEN_STATUSES)
    names = [f"age_{b[0]}" for b in metrics.AGE_BUCKETS]
    counts = _counts(qs, {"all": Q(), **{n: metrics.condition_q(n, period, now) for n in names}})

    def dp(condition="all"):
        return drill_params(period=period, scope=scope, basis="open", condition=condition)

    return {"open": counts["all"], "url": drill_url(dp()),
            "ages": [{"bucket": n[4:], "count": counts[n], "url": drill_url(dp(n))} for n in names]}


# --- comparison -----------------------------------------------------------------------------------------

COMPARED = ("total", "fcr_rate", "reopen_rate", "repeat_complaint_rate", "closed_3d_rate",
            "first_response_on_time_rate", "resolution_on_time_rate", "callback_coverage", "callback_reach_rate",
            "callback_satisfaction_rate", "satisfaction_rate", "campaign_satisfaction")


@_report_transaction
def service_analysis_compared(*, actor: Actor, period: Period, scope: Scope, now=None) -> dict:
    """The analysis of the period with the previous period and the same period last year."""
    now = now or timezone.now()
    current = service_analysis(actor=actor, period=period, scope=scope, now=now)
    current["previous"] = service_analysis(actor=actor, period=period.previous(), scope=scope, now=now,
                                           summary_only=True)
    current["last_year"] = service_analysis(actor=actor, period=period.last_year(), scope=scope, now=now,
                                            summary_only=True)
    return current


# --- per-type reports (complaint monthly report, inquiry, business change) -----------------------------

@_report_transaction
def type_report(*, actor: Actor, period: Period, scope: Scope, type: str, now=None) -> dict:
    """The figures a complaint / inquiry / business-change report asks for, for one type."""

    require_report_actor(actor)
    now = now or timezone.now()
    facts = _facts(actor, scope).filter(type=type)
    c = metrics.fact_condition_q

    def dp(basis="received", condition="all", kind="", **extra):
        return drill_params(period=period, scope=scope, basis=basis, condition=condition, kind=kind, type=type,
                            **extra)

    received = facts.filter(metrics.basis_q("received", period, now))
    counts = _counts(received, {n: c(n, period, now) for n in (
        "all", "not_cancelled", "fcr", "ever_resolved", "reopened", "repeat_complaint", "closed_3d")})
    report = {"type": type, "total": counts["all"], "total_url": drill_url(dp()),
              "valid": counts["not_cancelled"], "valid_url": drill_url(dp(condition="not_cancelled")),
              "resolved": counts["ever_resolved"], "resolved_url": drill_url(dp(condition="ever_resolved"))}
    by_category = _group(received, "category__code")
    from kefu.workorders.models import Category

    names = {code: (name, name_en) for code, name, name_en in Category.objects.filter(
        code__in=[k for k, _n in by_category]).values_list("code", "name", "name_en")}
    running, rows = 0, []
    for code, n in by_category:
        running += n
        rows.append({"code": code, "label": _category_label(*names.get(code, (code, ""))), "count": n,
                     "cumulative_share": round(running / counts["all"], 4), "url": drill_url(dp(category=code))})
    report["by_category"] = rows
    channel_labels = _labels(Channel.choices)
    report["by_channel"] = [{"code": k, "label": channel_labels.get(k, k), "count": n,
                             "url": drill_url(dp(channel=k))} for k, n in _group(received, "channel")]
    report["fcr_rate"] = _rate(counts["fcr"], counts["not_cancelled"], dp(condition="fcr"),
                               dp(condition="not_cancelled"))
    report["reopen_rate"] = _rate(counts["reopened"], counts["ever_resolved"], dp(condition="reopened"),
                                  dp(condition="ever_resolved"))
    clock_rows = clock_counts(scoped=facts, period=period, now=now)
    for kind in metrics.CLOCK_KINDS:
        row = clock_rows[kind]
        report[f"{kind}_on_time_rate"] = _rate(row["decided"] - row["breached"], row["decided"],
                                               dp("clock", "sla_met", kind), dp("clock", "all", kind))
    open_count = facts.filter(status__in=OPEN_STATUSES).count()
    report["open_now"] = open_count
    report["open_url"] = drill_url(drill_params(period=period, scope=scope, basis="open", type=type))
    if type == WorkOrderType.COMPLAINT:
        report["by_level"] = [{"level": lv, "count": n, "url": drill_url(dp(level=lv))}
                              for lv, n in sorted(_group(received, "complaint_level"), key=lambda r: r[0] or 0)]
        report["repeat_complaint_rate"] = _rate(counts["repeat_complaint"], counts["not_cancelled"],
                                                dp(condition="repeat_complaint"), dp(condition="not_cancelled"))
        report["closed_3d_rate"] = _rate(counts["closed_3d"], counts["not_cancelled"], dp(condition="closed_3d"),
                                         dp(condition="not_cancelled"))
        report["complaint_rate"] = _complaint_rate(scope=scope, complaints=counts["not_cancelled"],
                                                   url=drill_url(dp(condition="not_cancelled")))
        if metrics.callbacks_installed():
            rc = resolved_counts(facts.filter(metrics.basis_q("resolved", period, now)), period=period, now=now)
            report["callback_coverage"] = _rate(rc["callback_completed"], rc["all"],
                                                dp("resolved", "callback_completed"), dp("resolved"))
            report["callback_satisfaction_rate"] = _rate(rc["callback_satisfied"], rc["callback_completed"],
                                                         dp("resolved", "callback_satisfied"),
                                                         dp("resolved", "callback_completed"))
            report["satisfaction_rate"] = _rate(rc["satisfied"], rc["rated"], dp("resolved", "satisfied"),
                                                dp("resolved", "rated"))
            report["satisfaction_rate"]["response_rate"] = _rate(rc["rated"], rc["all"], dp("resolved", "rated"),
                                                                 dp("resolved"))
    return report


# --- duty log ---------------------------------------------------------------------------------------------

SHIFTS = {"day": (dt.time(8), dt.time(20)), "night": (dt.time(20), dt.time(8)), "all": (dt.time(0), dt.time(0))}


def shift_window(day: dt.date, shift: str, tz: str) -> tuple[dt.datetime, dt.datetime]:
    from zoneinfo import ZoneInfo

    begin, end = SHIFTS[shift]
    since = dt.datetime.combine(day, begin, tzinfo=ZoneInfo(tz))
    until_day = day + dt.timedelta(days=1) if end <= begin else day
    return since, dt.datetime.combine(until_day, end, tzinfo=ZoneInfo(tz))


DUTY_ROWS = 200


@_report_transaction
def duty_log(*, actor: Actor, day: dt.date, shift: str, scope: Scope) -> dict:
    """值班日志: what the shift received, resolved, handed over (dispatched) and left open."""
    require_report_actor(actor)
    if shift not in SHIFTS:
        raise InvalidInput(_("shift must be one of %(values)s.") % {"values": ", ".join(SHIFTS)},
                           fields={"shift": [_("shift must be one of %(values)s.") % {"values": ", ".join(SHIFTS)}]})
    since, until = shift_window(day, shift, site_timezone(scope))
    scoped = _scoped(actor, scope).select_related("category", "team", "first_contact_owner__staff")
    received = list(scoped.filter(received_at__gte=since, received_at__lt=until).order_by("received_at", "id")
                    [:DUTY_ROWS])
    resolved = list(scoped.filter(resolved_at__gte=since, resolved_at__lt=until).order_by("resolved_at", "id")
                    [:DUTY_ROWS])
    handed = list(WorkOrderEvent.objects.filter(action="dispatch", created_at__gte=since, created_at__lt=until,
                                                work_order__in=_scoped(actor, scope).values("pk"))
                  .select_related("work_order", "actor__staff").order_by("created_at", "id")[:DUTY_ROWS])
    still_open = [o for o in received if o.status in OPEN_STATUSES]
    return {"day": day, "shift": shift, "since": since, "until": until, "received": received,
            "resolved": resolved, "handed_over": handed, "open": still_open}


# --- dashboard ------------------------------------------------------------------------------------------

@_report_transaction
def dashboard(*, actor: Actor, scope: Scope, now=None) -> dict:
    """Today's intake, open by state, due/overdue, callbacks due, satisfaction trend, top categories."""
    require_report_actor(actor)
    now = now or timezone.now()
    tz = site_timezone(scope)
    today = timezone.localtime(now, timezone=_zone(tz)).date()
    period = Period(today, today, tz)
    scoped = _scoped(actor, scope)
    today_counts = _counts(scoped.filter(metrics.basis_q("received", period, now)),
                           {"all": Q(), **{t: Q(type=t) for t in WorkOrderType.values}})
    status_labels = _labels(Status.choices)
    by_status = dict(scoped.filter(status__in=OPEN_STATUSES).values_list("status").annotate(n=Count("pk"))
                     .values_list("status", "n"))
    open_period = Period(today, today, tz)
    due = _counts(scoped.filter(status__in=OPEN_STATUSES, sla_due_at__isnull=False), {
        "overdue": Q(sla_due_at__lt=now), "due_today": Q(sla_due_at__gte=now, sla_due_at__lt=period.until)})
    result = {
        "today": today.isoformat(), "intake": today_counts["all"],
        "intake_url": drill_url(drill_params(period=period, scope=scope, basis="received")),
        "intake_by_type": [{"code": t, "label": str(WorkOrderType(t).label), "count": today_counts[t]}
                           for t in WorkOrderType.values if today_counts[t]],
        "open_by_status": [{"code": s, "label": status_labels[s], "count": by_status.get(s, 0),
                            "url": drill_url(drill_params(period=open_period, scope=scope, basis="open", status=s))} for s in OPEN_STATUSES],
        "overdue": due["overdue"], "due_today": due["due_today"],
    }
    if metrics.callbacks_installed():
        from kefu.callbacks.models import Callback
        from kefu.callbacks.selectors import callback_visibility_q

        result["callbacks_due"] = Callback.objects.filter(callback_visibility_q(actor), status="open",
                                                          due_at__lt=period.until).count()
        result["satisfaction_trend"] = satisfaction_trend(actor=actor, scope=scope, today=today, tz=tz, now=now)
    month = Period(today - dt.timedelta(days=29), today, tz)
    result["top_categories"] = [
        {"code": code, "label": _category_label(name, name_en), "count": n,
         "url": drill_url(drill_params(period=month, scope=scope, basis="received", category=code))}
        for code, name, name_en, n in _facts(actor, scope).filter(metrics.basis_q("received", month, now))
        .values_list("category__code", "category__name", "category__name_en").annotate(n=Count("pk"))
        .order_by("-n", "category__code")[:8]]
    return result


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def satisfaction_trend(*, actor: Actor, scope: Scope, today: dt.date, tz: str, now, weeks: int = 8) -> list[dict]:
    """Satisfaction rate of ratings per week (orders resolved that week), last `weeks` weeks."""
    from django.db.models.functions import TruncWeek

    start = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    period = Period(start, today, tz)
    rows = (_facts(actor, scope).filter(metrics.basis_q("resolved", period, now))
            .annotate(week=TruncWeek("resolved_at", tzinfo=_zone(tz))).values("week")
            .annotate(n_rated=Count("pk", filter=metrics.fact_condition_q("rated", period, now)),
                      n_satisfied=Count("pk", filter=metrics.fact_condition_q("satisfied", period, now)),
                      n_resolved=Count("pk")).order_by("week"))
    by_week = {row["week"].date() if hasattr(row["week"], "date") else row["week"]:
               {"rated": row["n_rated"], "satisfied": row["n_satisfied"], "resolved": row["n_resolved"]}
               for row in rows}
    out = []
    for i in range(weeks):
        week = start + dt.timedelta(days=7 * i)
        row = by_week.get(week, {"rated": 0, "satisfied": 0, "resolved": 0})
        out.append({"week": week.isoformat(), "resolved": row["resolved"], "rated": row["rated"],
                    "satisfied": row["satisfied"],
                    "rate": round(row["satisfied"] / row["rated"], 4) if row["rated"] else None})
    return out


# --- generated reports ----------------------------------------------------------------------------------

def generated_for_actor(*, actor: Actor):
    """Generated report files the actor may open: their own, or all for roles that see all orders
    (the figures in a file were computed with its owner's visibility, never wider than theirs)."""
    from kefu.org.choices import Visibility
    from kefu.reports.models import GeneratedReport

    qs = GeneratedReport.objects.select_related("schedule", "generated_by__staff")
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(generated_by_id=actor.user_id)
    return qs.order_by("-created_at", "-id")


def generated_get_for_actor(*, actor: Actor, pk):
    generated = generated_for_actor(actor=actor).filter(pk=pk).first()
    if generated is None:
        raise NotFound(_("Report not found."))
    return generated


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
