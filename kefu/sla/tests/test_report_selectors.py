"""Selectors the reports and KPI build on: on-time rates (per order, ADR 0007), business-time
statistics, breaches."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from kefu.sla.selectors import breaches_by, business_time_stats, on_time_rate
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def _orders(cast, org):
    """Three normal repairs received Monday 10:00 (first response due 10:30): accepted after
    10, 20 and 50 minutes; a fourth never answered; a fifth cancelled."""
    orders = []
    for minutes in (10, 20, 50, None, "cancel"):
        with time_machine.travel(at(2026, 11, 23, 10), tick=False):
            order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
        if minutes == "cancel":
            with time_machine.travel(at(2026, 11, 23, 10, 5), tick=False):
                advance(order, cast["agent"], ("cancel", {"reason": "重复"}))
        elif minutes is not None:
            with time_machine.travel(at(2026, 11, 23, 10, minutes), tick=False):
                advance(order, cast["agent"], "accept")
        orders.append(order)
    return orders


def test_on_time_rate_counts_met_over_decided(cast, org):
    _orders(cast, org)
    result = on_time_rate(kind="first_response", start=at(2026, 11, 23), end=at(2026, 11, 24),
                          now=at(2026, 11, 23, 12))
    # orders met: 10 and 20 min; breached: 50 min and the unanswered one (past due at noon); cancelled
    # excluded. One first-response clock per order, so per order (ADR 0007) and per clock agree here.
    assert result == {"numerator": 2, "denominator": 4, "rate": 0.5}


def test_business_time_statistics(cast, org):
    _orders(cast, org)
    stats = business_time_stats(kind="first_response", start=at(2026, 11, 23), end=at(2026, 11, 24))
    assert stats == {"count": 3, "average": 26.7, "median": 20, "p90": 50}


def test_business_time_percentiles_are_nearest_rank_on_both_databases(cast, org):
    """Ten stopped clocks of 1…10 minutes: nearest rank gives median 5 and p90 9 (PostgreSQL
    computes them with percentile_disc, SQLite in Python: the same numbers)."""
    from kefu.sla.models import SlaClock
    from kefu.sla.selectors import business_time_stats_by_kind

    orders = _orders(cast, org)
    template = SlaClock.objects.filter(work_order=orders[0], kind="first_response").get()
    SlaClock.objects.filter(kind="first_response").delete()
    for minutes in range(1, 11):
        template.pk = None
        template.state, template.elapsed_minutes = "met", float(minutes)
        template.stopped_at = at(2026, 11, 23, 10, minutes)
        template.save()
    stats = business_time_stats_by_kind(kinds=["first_response", "resolution"], start=at(2026, 11, 23),
                                        end=at(2026, 11, 24))
    assert stats["first_response"] == {"count": 10, "average": 5.5, "median": 5, "p90": 9}
    assert stats["resolution"] == {"count": 0, "average": None, "median": None, "p90": None}
    # One clock: every percentile is that clock.
    SlaClock.objects.filter(kind="first_response", elapsed_minutes__gt=1).delete()
    assert business_time_stats(kind="first_response", start=at(2026, 11, 23), end=at(2026, 11, 24)) == {
        "count": 1, "average": 1.0, "median": 1, "p90": 1}


def test_breaches_by_team_and_category(cast, org):
    orders = _orders(cast, org)
    by_category = breaches_by(field="category", start=at(2026, 11, 23), end=at(2026, 11, 30),
                              now=at(2026, 11, 23, 12))
    # by noon: first response breached twice (50 min, unanswered), and none of the four live
    # orders was dispatched by 11:00 — four dispatch breaches
    assert by_category == {orders[0].category.code: 6}
    assert breaches_by(field="team", start=at(2026, 11, 23), end=at(2026, 11, 30), now=at(2026, 11, 23, 12)) == {
        None: 6}


def _resolution_orders(cast, org):
    """Normal repairs received Monday 2026-11-23 10:00 (resolution due Wednesday 10:00, two
    business days), read on Saturday 28th at noon:
    met: resolved Tuesday; reopened: resolved Thursday (late), reopened, resolved Friday (on
    time); overdue: still running past due; paused: waiting for the customer since Monday
    (paused clocks are not decided, whatever their due time); cancelled."""
    orders = {}
    for name in ("met", "reopened", "overdue", "paused", "cancelled"):
        with time_machine.travel(at(2026, 11, 23, 10), tick=False):
            orders[name] = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    with time_machine.travel(at(2026, 11, 23, 10, 5), tick=False):
        for name in ("met", "reopened", "overdue"):
            advance(orders[name], cast["agent"], "accept")
        advance(orders["paused"], cast["agent"], "accept", ("dispatch", {"team": org["mep"]}))
        advance(orders["cancelled"], cast["agent"], ("cancel", {"reason": "重复"}))
    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        advance(orders["paused"], cast["technician"], "start",
                ("hold", {"reason": "业主不在家", "waiting_for": "customer"}))
    with time_machine.travel(at(2026, 11, 24, 10), tick=False):
        advance(orders["met"], cast["agent"], ("resolve", {"resolution": "已修复"}))
    with time_machine.travel(at(2026, 11, 26, 10), tick=False):
        advance(orders["reopened"], cast["agent"], ("resolve", {"resolution": "已修复"}))
    with time_machine.travel(at(2026, 11, 26, 11), tick=False):
        advance(orders["reopened"], cast["agent"], ("reopen", {"reason": "仍漏水"}))
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        advance(orders["reopened"], cast["agent"], ("resolve", {"resolution": "已重新修复"}))
    return orders


def test_on_time_rate_counts_orders_not_clocks(cast, org):
    from kefu.sla.models import SlaClock
    from kefu.sla.selectors import on_time_order_q
    from kefu.workorders.models import WorkOrder

    orders = _resolution_orders(cast, org)
    week, now = {"start": at(2026, 11, 23), "end": at(2026, 11, 30)}, at(2026, 11, 28, 12)
    states = {name: list(SlaClock.objects.filter(work_order=o, kind="resolution").order_by("id")
                         .values_list("state", flat=True)) for name, o in orders.items()}
    assert states == {"met": ["met"], "reopened": ["breached", "met"], "overdue": ["running"],
                      "paused": ["paused"], "cancelled": ["cancelled"]}
    # ADR 0007, per order: decided = met, reopened, overdue; on time = met only. The reopened
    # order's met second resolution does not make up for its breached first one (per clock this
    # was 2 of 4); the paused and the cancelled clock are in neither count.
    assert on_time_rate(kind="resolution", now=now, **week) == {"numerator": 1, "denominator": 3, "rate": 1 / 3}

    def names(which):
        ids = set(WorkOrder.objects.filter(on_time_order_q(kind="resolution", now=now, which=which, **week))
                  .values_list("pk", flat=True))
        return sorted(name for name, o in orders.items() if o.pk in ids)

    assert names("decided") == ["met", "overdue", "reopened"]
    assert names("met") == ["met"]
    assert names("breached") == ["overdue", "reopened"]
    # Before Wednesday 10:00 the overdue order's clock is not yet due: not decided, not counted.
    assert on_time_rate(kind="resolution", now=at(2026, 11, 25, 9), **week) == {
        "numerator": 1, "denominator": 2, "rate": 0.5}
    # Only the orders given are counted.
    subset = WorkOrder.objects.filter(pk__in=[orders["reopened"].pk, orders["paused"].pk])
    assert on_time_rate(kind="resolution", now=now, orders=subset, **week) == {
        "numerator": 0, "denominator": 1, "rate": 0.0}
    # A week with none of it decided: no rate, never 0 % or 100 %.
    assert on_time_rate(kind="resolution", start=at(2026, 12, 7), end=at(2026, 12, 14), now=now) == {
        "numerator": 0, "denominator": 0, "rate": None}
