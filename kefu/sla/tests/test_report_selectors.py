"""Selectors the reports build on: on-time rates, business-time statistics, breaches."""

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
    # met: 10 and 20 min; breached: 50 min and the unanswered one (past due at noon); cancelled excluded
    assert result == {"numerator": 2, "denominator": 4, "rate": 0.5}


def test_business_time_statistics(cast, org):
    _orders(cast, org)
    stats = business_time_stats(kind="first_response", start=at(2026, 11, 23), end=at(2026, 11, 24))
    assert stats == {"count": 3, "average": 26.7, "median": 20, "p90": 50}


def test_breaches_by_team_and_category(cast, org):
    orders = _orders(cast, org)
    by_category = breaches_by(field="category", start=at(2026, 11, 23), end=at(2026, 11, 30),
                              now=at(2026, 11, 23, 12))
    # by noon: first response breached twice (50 min, unanswered), and none of the four live
    # orders was dispatched by 11:00 — four dispatch breaches
    assert by_category == {orders[0].category.code: 6}
    assert breaches_by(field="team", start=at(2026, 11, 23), end=at(2026, 11, 30), now=at(2026, 11, 23, 12)) == {
        None: 6}
