"""The SLA sweeper: warnings, breaches and escalation steps fire exactly once per clock."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from kefu.notifications.models import Notification
from kefu.sla.models import Escalation, SlaClock
from kefu.sla.services import sla_sweep
from kefu.workorders.models import WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def repair(cast, org):
    # a normal repair (office calendar) received Monday 10:00, dispatched and started at once:
    # only the resolution clock is left running
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
        order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
        return advance(order, cast["technician"], "start")


def resolution(order):
    return SlaClock.objects.get(work_order=order, kind="resolution", stopped_at=None)


def steps(order):
    return list(Escalation.objects.filter(clock__work_order=order, clock__kind="resolution")
                .order_by("step").values_list("step", "notify_role"))


def test_ladder_fires_each_step_once_at_its_time(repair, django_capture_on_commit_callbacks):
    clock = resolution(repair)
    assert (clock.due_at, clock.warn_at) == (at(2026, 11, 25, 10), at(2026, 11, 24, 15, 48))
    # before the warning: nothing
    assert sla_sweep(now=at(2026, 11, 24, 15, 47)) == 0
    # at 80%: the assignee is warned, once
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=at(2026, 11, 24, 15, 48)) == 1
    assert sla_sweep(now=at(2026, 11, 24, 15, 50)) == 0
    assert steps(repair) == [(0, "assignee")]
    assert Notification.objects.filter(work_order=repair, event__action="escalate").count() == 1
    # at breach: the supervisor; +2 business hours (Wed 12:00) the manager; +1 business day the director
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=at(2026, 11, 25, 10)) == 1
    assert resolution(repair).breached_at == at(2026, 11, 25, 10)
    assert sla_sweep(now=at(2026, 11, 25, 11, 59)) == 0
    assert sla_sweep(now=at(2026, 11, 25, 12)) == 1
    assert sla_sweep(now=at(2026, 11, 26, 9, 59)) == 0
    assert sla_sweep(now=at(2026, 11, 26, 10)) == 1  # 480 business minutes after Wed 10:00
    assert sla_sweep(now=at(2026, 12, 31)) == 0  # the ladder is exhausted
    assert steps(repair) == [(0, "assignee"), (1, "supervisor"), (2, "manager"), (3, "director")]
    events = WorkOrderEvent.objects.filter(work_order=repair, action="escalate").order_by("id")
    assert [(e.data["step"], e.data["notify"], e.data["clock"], e.actor_id) for e in events] == [
        (0, "assignee", "resolution", None), (1, "supervisor", "resolution", None),
        (2, "manager", "resolution", None), (3, "director", "resolution", None)]


def test_a_late_sweep_fires_every_overdue_step_in_order(repair):
    assert sla_sweep(now=at(2026, 11, 30, 9)) >= 4
    assert steps(repair) == [(0, "assignee"), (1, "supervisor"), (2, "manager"), (3, "director")]


def test_escalation_notifies_the_roles_above_the_team(repair, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    notified = dict(Notification.objects.filter(work_order=repair, event__action="escalate")
                    .values_list("event__data__step", "recipient__username").order_by("event__data__step"))
    assert notified[0] == "technician"
    # the supervisor sits in the customer-service department, not above the repair team:
    # nobody with that role above the team, so every supervisor hears of it
    assert set(Notification.objects.filter(event__data__step=1, work_order=repair)
               .values_list("recipient__username", flat=True)) == {"supervisor"}


def test_paused_clocks_do_not_escalate_and_fired_steps_do_not_refire(repair, cast):
    with time_machine.travel(at(2026, 11, 24, 16), tick=False):
        sla_sweep(now=at(2026, 11, 24, 16))  # the warning fires
        advance(repair, cast["technician"], ("hold", {"reason": "等业主", "waiting_for": "customer"}))
    assert sla_sweep(now=at(2026, 11, 27, 12)) == 0  # paused: nothing, however late
    with time_machine.travel(at(2026, 11, 27, 9), tick=False):
        advance(repair, cast["technician"], "resume")
    clock = resolution(repair)
    assert clock.next_step == 1  # the warning is not fired again
    assert clock.due_at == at(2026, 11, 27, 12)  # 3 business hours were left at 16:00 Tuesday
    assert clock.next_step_at == at(2026, 11, 27, 12)
    assert sla_sweep(now=at(2026, 11, 27, 11, 59)) == 0
    assert sla_sweep(now=at(2026, 11, 27, 12)) == 1
    assert steps(repair) == [(0, "assignee"), (1, "supervisor")]


def test_stopped_clocks_never_fire(repair, cast):
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        advance(repair, cast["technician"], ("resolve", {"resolution": "已修复"}))
    fired = sla_sweep(now=at(2026, 12, 31))
    # only the callback clock, started by the resolution and never stopped, escalates
    assert set(Escalation.objects.filter(clock__work_order=repair).values_list("clock__kind", flat=True)) == {
        "callback"}
    assert fired == Escalation.objects.count() > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_fire_each_step_exactly_once(cast, org):
    if connection.vendor != "postgresql":
        pytest.skip("real row-level concurrency needs PostgreSQL")
    # given 60 overdue orders, each with several clocks, each clock with four due steps
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        orders = [make_work_order(actor=cast["agent"], type="repair", priority="normal") for _ in range(60)]
    expected = SlaClock.objects.filter(work_order__in=orders, stopped_at=None).count()
    barrier = threading.Barrier(2)
    fired = []

    def sweeper():
        try:
            barrier.wait()
            fired.append(sla_sweep(now=at(2026, 11, 30, 9), chunk=25))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every step fired once: 4 steps per clock, one event per escalation row
    rows = Escalation.objects.filter(clock__work_order__in=orders)
    assert sum(fired) == rows.count() == expected * 4
    assert rows.values("clock", "step").distinct().count() == rows.count()
    assert WorkOrderEvent.objects.filter(work_order__in=orders, action="escalate").count() == rows.count()
