"""The service analysis: every figure for one period and scope, its breakdowns and backlog, and the
comparison with the previous period and the same period last year."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors.campaigns import campaign_satisfaction
from kefu.reports.selectors.drilldown import drill_params, drill_url
from kefu.reports.selectors.figures import (
    _category_label,
    _clock_figures,
    _clock_order_filters,
    _complaint_rate,
    _counts,
    _labels,
    _rate,
    clock_counts,
    resolved_counts,
)
from kefu.reports.selectors.scope import (
    Scope,
    _facts,
    _orders_filter,
    _report_transaction,
    _scoped,
    require_report_actor,
)
from kefu.workorders.choices import OPEN_STATUSES, Channel, WorkOrderType


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
        result["trend"] = trend(received, period)
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
# Up to this many days the trend has a point per day; a longer period has one per week.
TREND_DAILY_MAX_DAYS = 62


def trend(received, period: Period) -> dict:
    """Orders received per day of the period (in the site's time zone), or per week (weeks start
    on Monday; the first and last may be partial) for a period over TREND_DAILY_MAX_DAYS days.
    Every day or week of the period has its point, zero included (one query)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db.models.functions import TruncDate

    per_day = dict(received.order_by().annotate(day=TruncDate("received_at", tzinfo=ZoneInfo(period.timezone)))
                   .values_list("day").annotate(n=Count("pk")).values_list("day", "n"))
    weekly = period.days > TREND_DAILY_MAX_DAYS
    points: dict[dt.date, int] = {}
    day = period.start
    while day <= period.end:
        key = max(day - dt.timedelta(days=day.weekday()), period.start) if weekly else day
        points[key] = points.get(key, 0) + per_day.get(day, 0)
        day += dt.timedelta(days=1)
    return {"unit": "week" if weekly else "day",
            "points": [{"start": key.isoformat(), "count": n} for key, n in points.items()]}


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
