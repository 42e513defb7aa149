"""Routing: first match by precedence, round-robin fairness, absences, the system's dispatch."""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from kefu.org.tests.factories import make_staff
from kefu.routing import selectors, services
from kefu.routing.choices import Assignment
from kefu.routing.models import RoundRobinCursor
from kefu.sla.models import WorkCalendar
from kefu.workorders.models import Category, WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, category_for, make_work_order

pytestmark = pytest.mark.django_db


def rule(cast, team, **fields):
    return services.routing_rule_create(actor_user=cast["supervisor"], team=team, **fields)


def test_first_match_by_priority_then_the_default(org, cast):
    default = rule(cast, org["front"], priority=1000, name="默认")
    by_type = rule(cast, org["mep"], priority=20, type="repair")
    by_channel = rule(cast, org["stw"], priority=10, channel="walk_in")
    repair_by_phone = make_work_order(actor=cast["agent"], type="repair", channel="phone")
    repair_walk_in = make_work_order(actor=cast["agent"], type="repair", channel="walk_in")
    inquiry = make_work_order(actor=cast["agent"], type="inquiry", channel="phone")
    assert selectors.matching_rule(repair_by_phone) == by_type
    assert selectors.matching_rule(repair_walk_in) == by_channel
    assert selectors.matching_rule(inquiry) == default
    assert default.is_default and not by_type.is_default
    # Equal priority: the older rule (lower id) first.
    same = rule(cast, org["vend"], priority=10, channel="walk_in")
    assert selectors.matching_rule(repair_walk_in) == by_channel != same
    # An inactive rule is skipped.
    services.routing_rule_update(rule=by_channel, actor_user=cast["supervisor"], is_active=False)
    assert selectors.matching_rule(repair_walk_in) == same


def test_category_matches_itself_and_its_children_and_complaint_level(org, cast):
    leaf = category_for("repair")
    assert leaf.parent_id is not None
    parent_rule = rule(cast, org["mep"], priority=5, category=Category.objects.get(pk=leaf.parent_id))
    other = Category.objects.filter(parent__isnull=True).exclude(pk=leaf.parent_id).first()
    rule(cast, org["stw"], priority=1, category=other)
    order = make_work_order(actor=cast["agent"], type="repair", category=leaf)
    assert selectors.matching_rule(order) == parent_rule
    level2 = rule(cast, org["front"], priority=0, type="complaint", complaint_level=2)
    c1 = make_work_order(actor=cast["agent"], type="complaint", complaint_level=1)
    c2 = make_work_order(actor=cast["agent"], type="complaint", complaint_level=2)
    assert selectors.matching_rule(c2) == level2
    assert selectors.matching_rule(c1) != level2


def test_time_window_wraps_past_midnight(org, cast):
    night = rule(cast, org["mep"], priority=1, time_from=time(22, 0), time_until=time(6, 0))
    day = rule(cast, org["front"], priority=2)
    tz = timezone.get_current_timezone()
    late = make_work_order(actor=cast["agent"], received_at=datetime(2026, 3, 2, 23, 30, tzinfo=tz))
    early = make_work_order(actor=cast["agent"], received_at=datetime(2026, 3, 3, 5, 59, tzinfo=tz))
    noon = make_work_order(actor=cast["agent"], received_at=datetime(2026, 3, 3, 12, 0, tzinfo=tz))
    six = make_work_order(actor=cast["agent"], received_at=datetime(2026, 3, 3, 6, 0, tzinfo=tz))
    assert [selectors.matching_rule(o) for o in (late, early, noon, six)] == [night, night, day, day]


def test_intake_is_dispatched_by_the_system_through_the_gate(org, cast, django_capture_on_commit_callbacks):
    r = rule(cast, org["mep"], priority=1, type="repair", assignment=Assignment.ROUND_ROBIN)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_work_order(actor=cast["agent"], type="repair")
    order.refresh_from_db()
    assert (order.status, order.team_id, order.assignee_id, order.version) == (
        "dispatched", org["mep"].pk, cast["technician"].pk, 2)
    event = WorkOrderEvent.objects.get(work_order=order, action="dispatch")
    assert event.actor_id is None
    assert (event.from_status, event.to_status) == ("new", "dispatched")
    assert event.data["rule"] == r.pk and event.data["routed"] is True
    assert event.data["team"] == org["mep"].pk and event.data["assignee"] == cast["technician"].pk
    # The SLA hook saw the dispatch like any other (the clocks follow the gate's events).
    assert list(WorkOrderEvent.objects.filter(work_order=order).values_list("action", flat=True)
                .order_by("id")) == ["create", "dispatch"]


def test_no_rule_no_dispatch_and_a_person_first_wins(org, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        untouched = make_work_order(actor=cast["agent"], type="repair")
    untouched.refresh_from_db()
    assert untouched.status == "new" and untouched.team_id is None
    rule(cast, org["mep"], priority=1)
    order = make_work_order(actor=cast["agent"], type="repair")
    advance(order, cast["agent"], "accept")  # the agent took it before routing ran
    assert services.route_work_order(work_order_id=order.pk) is None
    order.refresh_from_db()
    assert (order.status, order.team_id) == ("accepted", None)
    assert not WorkOrderEvent.objects.filter(work_order=order, action="dispatch").exists()
    assert not RoundRobinCursor.objects.exists()


@pytest.fixture
def crew(org, cast):
    """Four technicians in the repair team (the cast's own plus three)."""
    extra = [make_staff(role="technician", department=org["mep"]).user for _ in range(3)]
    return [cast["technician"], *extra]


def test_round_robin_is_fair_over_1000_orders(org, crew):
    now = timezone.now()
    counts = Counter(services.choose_assignee(team=org["mep"], assignment=Assignment.ROUND_ROBIN, at=now)
                     for _ in range(1000))
    assert set(counts) == {u.pk for u in crew}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sorted(counts.values()) == [250, 250, 250, 250]


def test_round_robin_skips_members_away(org, cast, crew):
    now = timezone.now()
    away = crew[1]
    services.member_absence_create(actor_user=cast["supervisor"], user=away, starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(hours=8), reason="年假")
    counts = Counter(services.choose_assignee(team=org["mep"], assignment=Assignment.ROUND_ROBIN, at=now)
                     for _ in range(1000))
    assert away.pk not in counts
    assert sorted(counts.values()) == [333, 333, 334]
    # After the absence the member is back in turn.
    later = now + timedelta(hours=9)
    back = {services.choose_assignee(team=org["mep"], assignment=Assignment.ROUND_ROBIN, at=later) for _ in range(4)}
    assert back == {u.pk for u in crew}


def test_least_loaded_picks_the_member_with_least_open_work(org, cast, crew, django_capture_on_commit_callbacks):
    rule(cast, org["mep"], priority=1, type="repair", assignment=Assignment.LEAST_LOADED)
    assignees = []
    for _ in range(8):
        with django_capture_on_commit_callbacks(execute=True):
            order = make_work_order(actor=cast["agent"], type="repair")
        order.refresh_from_db()
        assignees.append(order.assignee_id)
    assert Counter(assignees) == Counter({u.pk: 2 for u in crew})
    # The last member resolves both of theirs: the next order is theirs though it is not their turn.
    for order in WorkOrder.objects.filter(assignee=crew[3]):
        advance(order, crew[3], "start", ("resolve", {"resolution": "已修复"}))
    with django_capture_on_commit_callbacks(execute=True):
        order = make_work_order(actor=cast["agent"], type="repair")
    order.refresh_from_db()
    assert order.assignee_id == crew[3].pk


def test_outside_the_teams_working_time_the_team_gets_it_unassigned(org, cast, crew):
    WorkCalendar.objects.create(name="水电组", team=org["mep"], use_china_holidays=False,
                                hours={"mon": [["09:00", "18:00"]]})
    tz = timezone.get_current_timezone()
    monday_night = datetime(2026, 3, 2, 20, 0, tzinfo=tz)
    monday_ten = datetime(2026, 3, 2, 10, 0, tzinfo=tz)
    assert services.choose_assignee(team=org["mep"], assignment=Assignment.ROUND_ROBIN, at=monday_night) is None
    assert services.choose_assignee(team=org["mep"], assignment=Assignment.ROUND_ROBIN, at=monday_ten) == crew[0].pk
