"""Shared figure helpers of the reports: rates with their drill-down links, conditional counts,
groupings, labels, and the per-order callback, rating, SLA-clock and complaint-rate figures the
service analysis and the per-type reports both show."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors.drilldown import drill_params, drill_url
from kefu.reports.selectors.scope import Scope


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


def _labels(choices) -> dict:
    return {str(value): str(label) for value, label in choices}


RESOLVED_CONDITIONS = ("callback_due", "callback_completed", "callback_ended", "callback_satisfied", "rated",
                       "satisfied")


def resolved_counts(resolved_facts: QuerySet, *, period: Period, now) -> dict:
    """Callback and rating counts over the orders resolved in a period, per order: one aggregate
    over their report facts (the flags are metrics.condition_q's, stored per order)."""
    return _counts(resolved_facts, {"all": Q(), **{name: metrics.fact_condition_q(name, period, now)
                                                   for name in RESOLVED_CONDITIONS}})


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


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)
