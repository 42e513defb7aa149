"""Patrols: planning at day and week boundaries with holidays, visits, late and missed rounds,
escalation, findings → work orders."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.patrols import selectors, services
from kefu.patrols.models import Finding, PatrolRound, PatrolRoundEvent
from kefu.patrols.tests.factories import answers_for, make_daily, make_route
from kefu.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


@pytest.fixture
def route(org, cast):
    return make_route(actor=cast["supervisor"], department=org["cs"])


def test_only_supervisors_plan_routes_and_bad_routes_are_refused(org, cast):
    with pytest.raises(NotAllowed):
        make_route(actor=cast["steward"], department=org["cs"])
    with pytest.raises(InvalidInput) as error:
        make_route(actor=cast["supervisor"], department=org["cs"], checkpoints=[
            {"name": "A", "tag": "T1", "items": [{"text": "x"}]}, {"name": "B", "tag": "T1", "items": [{"text": "y"}]}])
    assert "checkpoints" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        make_route(actor=cast["supervisor"], department=org["oteam"])  # outside the supervisor's scope
    assert "department" in error.value.fields
    from kefu.patrols.models import PatrolRoute
    assert not PatrolRoute.objects.exists()


def test_daily_rounds_skip_holidays_and_work_makeup_days(route, cast):
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], workdays_only=True)
    assert services.patrol_rounds_plan(day=date(2026, 10, 1)) == 0  # National Day
    assert services.patrol_rounds_plan(day=date(2026, 10, 10)) == 2  # Saturday, a make-up workday
    assert services.patrol_rounds_plan(day=date(2026, 10, 10)) == 0  # idempotent
    assert services.patrol_rounds_plan(day=date(2026, 10, 11)) == 0  # an ordinary Sunday
    rounds = list(PatrolRound.objects.order_by("due_at"))
    assert [(r.period, r.due_at, r.late_after, r.missed_after) for r in rounds] == [
        ("2026-10-10T09:00", at(2026, 10, 10, 9), at(2026, 10, 10, 10), at(2026, 10, 10, 15)),
        ("2026-10-10T15:00", at(2026, 10, 10, 15), at(2026, 10, 10, 16), at(2026, 10, 11)),
    ]


def test_missed_at_the_day_boundary_and_escalated_step_by_step(route, cast):
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=["15:00"])
    services.patrol_rounds_plan(day=date(2026, 3, 2))
    assert services.patrol_rounds_sweep(now=at(2026, 3, 2, 23, 59, 59)) == {"missed": 0, "escalated": 0}
    assert services.patrol_rounds_sweep(now=at(2026, 3, 3)) == {"missed": 1, "escalated": 1}
    round = PatrolRound.objects.get()
    assert (round.status, round.escalation_step) == ("missed", 1)
    assert services.patrol_rounds_sweep(now=at(2026, 3, 3, 23)) == {"missed": 0, "escalated": 0}
    assert services.patrol_rounds_sweep(now=at(2026, 3, 4)) == {"missed": 0, "escalated": 1}
    assert services.patrol_rounds_sweep(now=at(2026, 3, 9)) == {"missed": 0, "escalated": 0}
    events = list(PatrolRoundEvent.objects.filter(round=round).order_by("id").values_list("action", "actor_id",
                                                                                           "data"))
    assert [(a, actor) for a, actor, _d in events] == [("plan", None), ("miss", None), ("escalate", None),
                                                       ("escalate", None)]
    assert [d.get("to") for a, _x, d in events if a == "escalate"] == ["supervisor", "manager"]


def test_weekly_site_walk_missed_at_the_week_boundary_and_measured(route, org, cast):
    services.patrol_schedule_create(actor_user=cast["supervisor"], route=route, frequency="weekly",
                                    person=cast["manager"], per_week=1)
    assert services.patrol_rounds_plan(day=date(2026, 3, 3)) == 0  # planned on Mondays only
    assert services.patrol_rounds_plan(day=date(2026, 3, 2)) == 1
    assert services.patrol_rounds_sweep(now=at(2026, 3, 8, 23, 59, 59))["missed"] == 0
    assert services.patrol_rounds_sweep(now=at(2026, 3, 9))["missed"] == 1
    services.patrol_rounds_plan(day=date(2026, 3, 9))
    week2 = PatrolRound.objects.get(period="2026-W11#1")
    for cp in route.checkpoints.order_by("sequence"):
        services.patrol_round_visit(round=week2, checkpoint_id=cp.pk, actor_user=cast["manager"], tag=cp.tag,
                                    answers=answers_for(cp), visited_at=at(2026, 3, 11, 10, cp.sequence))
    actor = services.require_actor(cast["supervisor"])
    assert selectors.site_walk_standard(actor=actor, week=date(2026, 3, 4)) == [
        {"assignee": cast["manager"].pk, "name": cast["manager"].staff.display_name, "week": "2026-03-02",
         "due": 1, "completed": 0, "on_time": 0, "late": 0, "missed": 1, "open": 0, "met": False}]
    assert selectors.site_walk_standard(actor=actor, week=date(2026, 3, 15))[0] | {} == {
        "assignee": cast["manager"].pk, "name": cast["manager"].staff.display_name, "week": "2026-03-09",
        "due": 1, "completed": 1, "on_time": 1, "late": 0, "missed": 0, "open": 0, "met": True}


def test_a_round_with_a_failed_item_its_finding_becomes_a_work_order(route, cast, time_machine):
    time_machine.move_to(at(2026, 3, 2, 10, 30), tick=False)
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"])
    services.patrol_rounds_plan(day=date(2026, 3, 2))
    round = PatrolRound.objects.get(period="2026-03-02T09:00")
    cps = list(route.checkpoints.order_by("sequence"))
    with pytest.raises(InvalidInput) as error:  # the wrong tag: nothing written
        services.patrol_round_visit(round=round, checkpoint_id=cps[0].pk, actor_user=cast["steward"], tag="QR-X",
                                    answers=answers_for(cps[0]))
    assert "tag" in error.value.fields
    with pytest.raises(NotAllowed):  # someone else's round
        services.patrol_round_visit(round=round, checkpoint_id=cps[0].pk, actor_user=cast["agent"],
                                    tag=cps[0].tag, answers=answers_for(cps[0]))
    assert not round.visits.exists()
    services.patrol_round_visit(round=round, checkpoint_id=cps[0].pk, actor_user=cast["steward"], tag=cps[0].tag,
                                answers=answers_for(cps[0], fail=["地面清洁无垃圾"]), visited_at=at(2026, 3, 2, 9, 20))
    with pytest.raises(Conflict):
        services.patrol_round_visit(round=round, checkpoint_id=cps[0].pk, actor_user=cast["steward"],
                                    tag=cps[0].tag, answers=answers_for(cps[0]))
    services.patrol_round_visit(round=round, checkpoint_id=cps[1].pk, actor_user=cast["steward"], tag=cps[1].tag,
                                answers=answers_for(cps[1], fail=["供水压力"]), visited_at=at(2026, 3, 2, 9, 40))
    round = services.patrol_round_visit(round=round, checkpoint_id=cps[2].pk, actor_user=cast["steward"],
                                        tag=cps[2].tag, answers=answers_for(cps[2]), visited_at=at(2026, 3, 2, 10, 5))
    assert (round.status, round.started_at, round.completed_at, round.is_late) == (
        "completed", at(2026, 3, 2, 9, 20), at(2026, 3, 2, 10, 5), True)
    findings = list(Finding.objects.order_by("id"))
    assert [(f.item.text, f.status) for f in findings] == [("地面清洁无垃圾", "open"), ("供水压力", "open")]
    assert findings[1].answer.value == Decimal("0.100") and findings[1].answer.result == "fail"
    order = services.finding_to_work_order(finding=findings[0], actor_user=cast["steward"])
    assert (order.type, order.channel, order.title, order.first_contact_owner_id) == (
        "repair", "patrol", "1号楼大堂：地面清洁无垃圾", cast["steward"].pk)
    assert "有积水" in order.description and "1号楼一层" in order.description
    findings[0].refresh_from_db()
    assert (findings[0].status, findings[0].work_order_id) == ("work_order", order.pk)
    with pytest.raises(Conflict):
        services.finding_to_work_order(finding=findings[0], actor_user=cast["steward"])
    assert WorkOrder.objects.count() == 1
    with pytest.raises(NotFound):  # a vendor sees no rounds and no findings
        services.finding_to_work_order(finding=findings[1], actor_user=cast["vendor"])
    assert WorkOrder.objects.count() == 1


def test_answers_kept_offline_arrive_after_the_sweep(route, cast, time_machine):
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=["09:00"])
    services.patrol_rounds_plan(day=date(2026, 3, 2))
    round = PatrolRound.objects.get()
    cps = list(route.checkpoints.order_by("sequence"))
    time_machine.move_to(at(2026, 3, 3, 8), tick=False)
    services.patrol_rounds_sweep()
    round.refresh_from_db()
    assert round.status == "missed"
    with pytest.raises(Conflict):  # claimed after the deadline: refused
        services.patrol_round_visit(round=round, checkpoint_id=cps[0].pk, actor_user=cast["steward"],
                                    tag=cps[0].tag, answers=answers_for(cps[0]), visited_at=at(2026, 3, 3, 7))
    for n, cp in enumerate(cps):  # walked on the day, sent the next morning
        round = services.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=cast["steward"],
                                            tag=cp.tag, answers=answers_for(cp), visited_at=at(2026, 3, 2, 9, 10 + n))
    assert (round.status, round.is_late) == ("completed", False)
    assert round.events.filter(action="visit").first().data["visited_at"] == at(2026, 3, 2, 9, 10).isoformat()


def test_visit_times_cannot_be_in_the_future_and_answers_are_complete(route, cast):
    now = timezone.now()
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=["00:00"])
    services.patrol_rounds_plan(day=timezone.localdate())
    round = PatrolRound.objects.get()
    cp = route.checkpoints.get(sequence=1)
    with pytest.raises(InvalidInput) as error:
        services.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=cast["steward"], tag=cp.tag,
                                    answers=answers_for(cp), visited_at=now + timedelta(hours=1))
    assert "visited_at" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=cast["steward"], tag=cp.tag,
                                    answers=answers_for(cp)[:1])
    assert "answers" in error.value.fields
    round.refresh_from_db()
    assert (round.status, round.version, round.visits.count()) == ("planned", 1, 0)
