"""SLA clocks driven by work-order events, with time frozen at chosen instants."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.sla.models import SlaClock, SlaPolicy
from kefu.sla.selectors import policy_for
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def clocks(order):
    return {c.kind: c for c in SlaClock.objects.filter(work_order=order, stopped_at=None)}


def all_clocks(order, kind):
    return list(SlaClock.objects.filter(work_order=order, kind=kind).order_by("id"))


@pytest.fixture
def repair(cast):
    # given a normal repair received on Monday 2026-11-23 10:00 (office hours 09–12, 13–18)
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        return make_work_order(actor=cast["agent"], type="repair", priority="normal")


def test_policy_clocks_start_at_received_time(repair):
    live = clocks(repair)
    assert set(live) == {"first_response", "dispatch", "arrival", "resolution"}
    assert live["first_response"].due_at == at(2026, 11, 23, 10, 30)
    assert live["dispatch"].due_at == at(2026, 11, 23, 11)
    assert live["arrival"].due_at == at(2026, 11, 23, 15)  # 240 business minutes over lunch
    assert live["resolution"].due_at == at(2026, 11, 25, 10)  # two business days (960 min)
    assert live["resolution"].warn_at == at(2026, 11, 24, 15, 48)  # 80% = 768 business minutes
    assert live["resolution"].policy.name == "一般报修 Normal repairs"


def test_hold_waiting_for_customer_moves_due_by_exactly_the_paused_business_time(repair, cast, org):
    advance(repair, cast["agent"], "accept", ("dispatch", {"team": org["mep"]}))
    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        advance(repair, cast["technician"], "start", ("hold", {"reason": "业主不在家", "waiting_for": "customer"}))
    assert clocks(repair)["resolution"].state == "paused"
    with time_machine.travel(at(2026, 11, 23, 16), tick=False):
        advance(repair, cast["technician"], "resume")
    resolution = clocks(repair)["resolution"]
    assert resolution.state == "running"
    assert resolution.paused_minutes == 120
    assert resolution.due_at == at(2026, 11, 25, 12)  # Wed 10:00 + 2 business hours


def test_pause_across_the_night_counts_only_business_time(repair, cast, org):
    advance(repair, cast["agent"], "accept", ("dispatch", {"team": org["mep"]}))
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        advance(repair, cast["technician"], "start", ("hold", {"reason": "等业主", "waiting_for": "customer"}))
    with time_machine.travel(at(2026, 11, 24, 10), tick=False):
        advance(repair, cast["technician"], "resume")
    resolution = clocks(repair)["resolution"]
    assert resolution.paused_minutes == 120  # 17–18 Monday + 09–10 Tuesday
    assert resolution.due_at == at(2026, 11, 25, 12)


def test_waiting_for_parts_does_not_pause(repair, cast, org):
    advance(repair, cast["agent"], "accept", ("dispatch", {"team": org["mep"]}))
    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        advance(repair, cast["technician"], "start", ("hold", {"reason": "等配件", "waiting_for": "parts"}))
    resolution = clocks(repair)["resolution"]
    assert resolution.state == "running"
    assert resolution.due_at == at(2026, 11, 25, 10)


def test_response_dispatch_arrival_and_resolution_stop_met_or_breached(repair, cast, org):
    with time_machine.travel(at(2026, 11, 23, 10, 20), tick=False):
        advance(repair, cast["agent"], "accept")
    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        advance(repair, cast["agent"], ("dispatch", {"team": org["mep"]}))
    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        advance(repair, cast["technician"], "start")
    with time_machine.travel(at(2026, 11, 25, 11), tick=False):
        advance(repair, cast["technician"], ("resolve", {"resolution": "已更换阀门"}))
    [first], [dispatch], [arrival], [resolution] = (all_clocks(repair, k) for k in
                                                    ("first_response", "dispatch", "arrival", "resolution"))
    assert (first.state, first.elapsed_minutes) == ("met", 20)
    assert (dispatch.state, dispatch.elapsed_minutes, dispatch.breached_at) == ("breached", 90, at(2026, 11, 23, 11))
    assert (arrival.state, arrival.elapsed_minutes) == ("met", 180)  # 10–12 and 13–14
    assert (resolution.state, resolution.elapsed_minutes) == ("breached", 1020)
    assert set(clocks(repair)) == {"callback"}  # only the call back to the customer is still due


def test_promised_time_is_its_own_clock(repair, cast, org):
    with time_machine.travel(at(2026, 11, 23, 10, 5), tick=False):
        advance(repair, cast["agent"], ("dispatch", {"team": org["mep"], "promised_at": at(2026, 11, 23, 16)}))
    promise = clocks(repair)["promise"]
    assert (promise.due_at, promise.business, promise.started_at) == (at(2026, 11, 23, 16), False,
                                                                      at(2026, 11, 23, 10, 5))
    # a new promise replaces the old one (the old one is kept, cancelled)
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["agent"], ("dispatch", {"team": org["mep"], "promised_at": at(2026, 11, 24, 10)}))
    old, new = all_clocks(repair, "promise")
    assert (old.state, new.state, new.due_at) == ("cancelled", "running", at(2026, 11, 24, 10))


def test_cancel_stops_every_clock_as_cancelled(repair, cast):
    advance(repair, cast["agent"], ("cancel", {"reason": "客户撤销"}))
    assert set(SlaClock.objects.filter(work_order=repair).values_list("state", flat=True)) == {"cancelled"}


def test_reopen_starts_a_fresh_resolution_clock(repair, cast):
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["agent"], "accept", ("resolve", {"resolution": "电话指导解决"}))
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        advance(repair, cast["agent"], ("reopen", {"reason": "回访不满意"}))
    first, second = all_clocks(repair, "resolution")
    assert (first.state, second.state, second.started_at, second.due_at) == (
        "met", "running", at(2026, 11, 24, 9), at(2026, 11, 25, 18))


@pytest.mark.parametrize(("kwargs", "policy"), [
    ({"type": "repair", "priority": "urgent"}, "急修 Urgent repairs"),
    ({"type": "repair", "priority": "low"}, "低优先级报修 Low-priority repairs"),
    ({"type": "complaint"}, "投诉 Complaints"),
    ({"type": "repair", "channel": "walk_in"}, "来访三分钟 Walk-in three minutes"),
    ({"type": "praise"}, "默认 Default"),
], ids=["urgent_repair", "low_repair", "complaint", "walk_in_repair", "praise_default"])
def test_first_matching_policy_by_precedence(cast, kwargs, policy):
    order = make_work_order(actor=cast["agent"], **kwargs)
    assert policy_for(order=order).name == policy


def test_complaint_closes_within_three_calendar_days(cast):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="complaint")
    live = clocks(order)
    assert live["resolution"].due_at == at(2026, 10, 3, 10)  # calendar time: holidays do not count
    assert live["first_response"].due_at == at(2026, 9, 30, 10, 30)  # 30 business minutes


def test_deadline_in_a_year_without_holiday_data_is_flagged(cast):
    with time_machine.travel(at(2026, 12, 31, 17), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    assert clocks(order)["resolution"].missing_holiday_years == [2027]
    assert clocks(order)["first_response"].missing_holiday_years == []


def test_inactive_policies_are_skipped(cast):
    SlaPolicy.objects.filter(name="急修 Urgent repairs").update(is_active=False)
    order = make_work_order(actor=cast["agent"], type="repair", priority="urgent")
    assert policy_for(order=order).name == "默认 Default"


def test_clocks_api(api, repair, cast):
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        response = api(cast["agent"]).get(f"/api/v1/work-orders/{repair.pk}/clocks/")
    assert response.status_code == 200
    rows = {r["kind"]: r for r in response.json()}
    assert rows["first_response"]["state"] == "breached"  # due 10:30, still running at 11:00
    assert rows["first_response"]["remaining_minutes"] == -30
    assert rows["resolution"]["state"] == "running"
    assert rows["resolution"]["remaining_minutes"] == 900
    assert rows["resolution"]["due_at"] == "2026-11-25T10:00:00+08:00"


def test_clocks_api_hides_orders_the_user_cannot_see(api, repair, cast):
    assert api(cast["other_steward"]).get(f"/api/v1/work-orders/{repair.pk}/clocks/").status_code == 404


def test_order_carries_its_earliest_running_due_time(repair, cast, org):
    repair.refresh_from_db()
    assert repair.sla_due_at == at(2026, 11, 23, 10, 30)  # first response is the earliest
    with time_machine.travel(at(2026, 11, 23, 10, 10), tick=False):
        advance(repair, cast["agent"], ("dispatch", {"team": org["mep"]}))
    repair.refresh_from_db()
    assert repair.sla_due_at == at(2026, 11, 23, 15)  # now the arrival clock
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["technician"], "start", ("hold", {"reason": "等业主", "waiting_for": "customer"}))
    repair.refresh_from_db()
    assert repair.sla_due_at is None  # every clock is paused


def test_queue_sorts_by_due_soonest_with_clockless_orders_last(api, cast, org):
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        normal = make_work_order(actor=cast["agent"], type="repair", priority="normal")   # due 10:30
        urgent = make_work_order(actor=cast["agent"], type="repair", priority="urgent")   # due 10:10
        praise = make_work_order(actor=cast["agent"], type="praise")                       # default: 11:00
        cancelled = make_work_order(actor=cast["agent"], type="inquiry")
        advance(cancelled, cast["agent"], ("cancel", {"reason": "重复"}))                  # no clock
    ids = [r["id"] for r in api(cast["agent"]).get("/api/v1/work-orders/?ordering=due").json()["results"]]
    assert ids == [urgent.pk, normal.pk, praise.pk, cancelled.pk]
    ids = [r["id"] for r in api(cast["agent"]).get("/api/v1/work-orders/?ordering=-due").json()["results"]]
    assert ids == [praise.pk, normal.pk, urgent.pk, cancelled.pk]


def test_resolution_starts_the_callback_clock_and_the_callback_stops_it(repair, cast):
    from kefu.sla.clocks import callback_clock_stop

    # resolved Monday 11:00 → called back within two business days (960 min): Wednesday 11:00
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["agent"], "accept", ("resolve", {"resolution": "电话指导解决"}))
    callback = clocks(repair)["callback"]
    assert (callback.state, callback.started_at, callback.due_at) == ("running", at(2026, 11, 23, 11),
                                                                       at(2026, 11, 25, 11))
    repair.refresh_from_db()
    assert repair.sla_due_at is None  # the order's own work is done; the callback queue tracks this clock
    stopped = callback_clock_stop(order=repair, at=at(2026, 11, 24, 9))
    stopped.refresh_from_db()
    assert (stopped.state, stopped.stopped_at) == ("met", at(2026, 11, 24, 9))
    assert callback_clock_stop(order=repair, at=at(2026, 11, 24, 10)) is None


def test_late_callback_is_breached_and_reopen_cancels_a_pending_one(repair, cast):
    from kefu.sla.clocks import callback_clock_stop

    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["agent"], "accept", ("resolve", {"resolution": "电话指导解决"}))
    with time_machine.travel(at(2026, 11, 26, 9), tick=False):
        assert callback_clock_stop(order=repair).state == "breached"
        advance(repair, cast["agent"], ("reopen", {"reason": "回访不满意"}))
    with time_machine.travel(at(2026, 11, 26, 10), tick=False):
        advance(repair, cast["agent"], ("resolve", {"resolution": "更换阀门"}))
    with time_machine.travel(at(2026, 11, 26, 11), tick=False):
        advance(repair, cast["agent"], ("reopen", {"reason": "仍漏水"}))
    assert [c.state for c in all_clocks(repair, "callback")] == ["breached", "cancelled"]


def test_inquiries_have_no_callback_target(cast):
    order = make_work_order(actor=cast["agent"], type="inquiry")
    advance(order, cast["agent"], "accept", ("resolve", {"resolution": "已答复"}))
    assert all_clocks(order, "callback") == []


def test_importing_the_missing_year_moves_live_deadlines_and_clears_the_warning(cast):
    from kefu.sla.services import holidays_import_csv

    # given a normal repair received 2026-12-31 17:00: two business days under the Mon–Fri fallback
    with time_machine.travel(at(2026, 12, 31, 17), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    before = clocks(order)["resolution"]
    assert (before.due_at, before.missing_holiday_years) == (at(2027, 1, 4, 17), [2027])
    # when the 2027 arrangement is imported (1–3 January off) on 2027-01-01 09:00
    with time_machine.travel(at(2027, 1, 1, 9), tick=False):
        result = holidays_import_csv(content=(
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n"
        ).encode(), source="test")
    # then the deadline is laid out on the real calendar: 1 h used on Dec 31, 15 h left from Jan 4
    after = clocks(order)["resolution"]
    assert result["clocks_updated"] >= 1
    assert (after.due_at, after.missing_holiday_years, after.next_step_at) == (
        at(2027, 1, 5, 17), [], after.warn_at)
    order.refresh_from_db()
    assert order.sla_due_at == min(c.due_at for k, c in clocks(order).items() if k != "callback")


def test_work_sent_to_a_team_with_its_own_calendar_counts_on_the_teams_hours(cast, org):
    from kefu.sla.services import calendar_create

    # given an outsourced team working 08:00–20:00 Mon–Fri, and repairs following team calendars
    long_day = [["08:00", "20:00"]]
    vendor_hours = calendar_create(name="外包 08–20", team=org["vend"], hours={
        "mon": long_day, "tue": long_day, "wed": long_day, "thu": long_day, "fri": long_day})
    SlaPolicy.objects.filter(name="一般报修 Normal repairs").update(use_team_calendar=True)
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    # when it is dispatched to that team at 11:00 (one office hour used)
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(order, cast["agent"], ("dispatch", {"team": org["vend"], "assignee": cast["vendor"]}))
    live = clocks(order)
    # then what is left is laid out on the team's hours: arrival 180 min → 14:00 (no lunch break);
    # resolution 900 min → Monday 11–20 (540) + Tuesday 08:00 + 360 = 14:00
    assert (live["arrival"].calendar_id, live["arrival"].due_at) == (vendor_hours.pk, at(2026, 11, 23, 14))
    assert (live["resolution"].calendar_id, live["resolution"].due_at) == (vendor_hours.pk, at(2026, 11, 24, 14))
    assert live["resolution"].started_at == at(2026, 11, 23, 10)  # the clock's start is kept for reports
    # and the business time used adds up across both calendars: 60 + 540 + 240
    with time_machine.travel(at(2026, 11, 24, 12), tick=False):
        advance(order, cast["vendor"], "start", ("resolve", {"resolution": "已更换"}))
    [resolution] = all_clocks(order, "resolution")
    assert (resolution.state, resolution.elapsed_minutes) == ("met", 840)


def test_policies_without_team_calendars_keep_their_own(cast, org):
    from kefu.sla.services import calendar_create

    calendar_create(name="外包", team=org["vend"], hours={"mon": [["08:00", "20:00"]]})
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
        before = clocks(order)["resolution"].due_at
        advance(order, cast["agent"], ("dispatch", {"team": org["vend"]}))
    assert clocks(order)["resolution"].due_at == before == at(2026, 11, 25, 10)
