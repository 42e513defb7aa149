"""Escalation steps that change the order: raise priority, raise complaint level, reassign."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kefu.core.errors import Conflict
from kefu.sla.models import SlaPolicy, escalation_errors
from kefu.sla.services import sla_sweep
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.services import work_order_transition
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def _ladder(policy_name: str, ladder: list) -> SlaPolicy:
    policy = SlaPolicy.objects.get(name=policy_name)
    policy.escalation = ladder
    policy.full_clean()
    policy.save()
    return policy


def test_breach_raises_priority_and_reassigns_through_the_work_order_service(cast, org):
    _ladder("低优先级报修 Low-priority repairs", [
        {"after_breach_minutes": 0, "notify": "supervisor", "raise_priority": True},
        {"after_breach_minutes": 120, "notify": "manager", "reassign_to": "VEND"}])
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="low")
        order = advance(order, cast["agent"], "accept",
                        ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    version = order.version
    # only the resolution clock runs (three business days): breached Thursday 10:00, +2 h at 12:00
    sla_sweep(now=at(2026, 11, 26, 12, 30))
    order.refresh_from_db()
    assert (order.priority, order.team_id, order.assignee_id, order.status) == (
        "normal", org["vend"].pk, None, "dispatched")
    changes = [e.data["changes"] for e in WorkOrderEvent.objects.filter(work_order=order, action="escalate")
               .exclude(data__changes={}).order_by("id")]
    assert changes == [{"priority": ["low", "normal"]}, {"team": ["水电组", "外包电梯"]}]
    assert order.version == version + 2  # each change bumps the version: a stale page gets a 409
    with pytest.raises(Conflict) as conflict:
        work_order_transition(work_order=order, action="dispatch", actor_user=cast["supervisor"],
                              expected_version=version, team=org["mep"], assignee=cast["technician"])
    assert conflict.value.code == "concurrent_change"


def test_complaint_level_rises_by_one_up_to_three(cast):
    _ladder("投诉 Complaints", [{"after_breach_minutes": 0, "raise_complaint_level": True},
                                {"after_breach_minutes": 60, "raise_complaint_level": True},
                                {"after_breach_minutes": 120, "raise_complaint_level": True}])
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="complaint", complaint_level=2)
        order = advance(order, cast["agent"], "accept")
    sla_sweep(now=at(2026, 11, 27, 10))
    order.refresh_from_db()
    assert order.complaint_level == 3
    changes = [e.data["changes"] for e in WorkOrderEvent.objects.filter(work_order=order, action="escalate")
               .order_by("id") if e.data.get("kind") == "escalation"]
    assert changes == [{"complaint_level": [2, 3]}, {}, {}]  # already at the top: noted, not changed


def test_resolved_orders_are_not_changed_by_a_late_step(cast):
    _ladder("一般报修 Normal repairs", [{"after_breach_minutes": 0, "raise_priority": True}])
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    # the first-response clock breached at 10:30 and stays unfired until the sweep, after resolution
    WorkOrder.objects.filter(pk=order.pk).update(status="resolved")
    sla_sweep(now=at(2026, 11, 23, 11))
    order.refresh_from_db()
    assert order.priority == "normal"


@pytest.mark.parametrize(("ladder", "message"), [
    ({"notify": "supervisor"}, "The escalation steps must be a list."),
    ([{"notify": "boss"}], "Step 1: notify must be one of assignee, director, manager, qa, supervisor."),
    ([{"after_breach_minutes": 60}, {"after_breach_minutes": 30}],
     "Step 2: after_breach_minutes must be a whole number, not smaller than the step before."),
    ([{"raise_salary": True}], "Step 1: unknown option raise_salary."),
    ([{"reassign_to": "NOPE"}], "Step 1: no active department with code NOPE."),
], ids=["not_a_list", "unknown_role", "decreasing", "unknown_option", "unknown_team"])
def test_bad_ladders_are_rejected_and_not_saved(org, settings, ladder, message):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    policy = SlaPolicy.objects.get(name="投诉 Complaints")
    before = policy.escalation
    with translation.override("en"):
        assert escalation_errors(ladder) == [message]
        policy.escalation = ladder
        with pytest.raises(ValidationError):
            policy.full_clean()
    assert SlaPolicy.objects.get(pk=policy.pk).escalation == before


def test_a_step_that_reassigns_moves_team_calendar_clocks_as_a_dispatch_does(cast, org):
    from kefu.sla.models import SlaClock
    from kefu.sla.services import calendar_create

    # given an outsourced team working 08:00–20:00 Mon–Fri, repairs following team calendars, and a
    # ladder that hands an untaken repair to that team when its first response is missed
    long_day = [["08:00", "20:00"]]
    vendor_hours = calendar_create(name="外包 08–20", team=org["vend"], hours={
        "mon": long_day, "tue": long_day, "wed": long_day, "thu": long_day, "fri": long_day})
    policy = _ladder("一般报修 Normal repairs", [{"after_breach_minutes": 0, "reassign_to": "VEND"}])
    SlaPolicy.objects.filter(pk=policy.pk).update(use_team_calendar=True)
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    office = SlaClock.objects.get(work_order=order, kind="resolution").calendar_id
    # when the first response is missed (due 10:30) and the sweep at 10:31 reassigns it
    sla_sweep(now=at(2026, 11, 23, 10, 31))
    order.refresh_from_db()
    assert (order.team_id, order.status) == (org["vend"].pk, "new")
    live = {c.kind: c for c in SlaClock.objects.filter(work_order=order, stopped_at=None)}
    # then arrival and resolution continue on the team's hours from 10:31 (31 office minutes used):
    # arrival 240 − 31 = 209 min → 14:00; resolution 960 − 31 = 929 → Monday 10:31–20:00 (569) +
    # Tuesday 08:00 + 360 = 14:00
    assert (live["arrival"].calendar_id, live["arrival"].due_at) == (vendor_hours.pk, at(2026, 11, 23, 14))
    assert (live["resolution"].calendar_id, live["resolution"].due_at) == (vendor_hours.pk, at(2026, 11, 24, 14))
    assert office != vendor_hours.pk
    # and the order's "due soonest" follows
    assert order.sla_due_at == min(c.due_at for k, c in live.items() if k != "callback")
