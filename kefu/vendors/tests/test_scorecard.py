"""A fixture month (March 2026) whose scorecard equals the hand calculation, line by line, and
whose penalties and shortfall flow into the settlement."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.callbacks.models import Callback
from kefu.callbacks.services import callback_attempt_record
from kefu.core.errors import Conflict, NotAllowed
from kefu.patrols import services as patrols
from kefu.patrols.models import Finding, PatrolRound
from kefu.patrols.tests.factories import answers_for, make_daily, make_route
from kefu.vendors import services
from kefu.vendors.tests.factories import make_contract, make_vendor
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(d, hh=9, mm=0):
    return datetime(2026, 3, d, hh, mm, tzinfo=TZ)


def test_march_scorecard_equals_the_hand_calculation(org, cast, time_machine):
    sup, vendor_user, agent = cast["supervisor"], cast["vendor"], cast["agent"]
    route = make_route(actor=sup, department=org["cs"])
    vendor = make_vendor(actor=sup, team=org["vend"], routes=[route])
    make_contract(actor=sup, vendor=vendor)

    def order(day, hh=9):
        time_machine.move_to(at(day, hh), tick=False)
        o = make_work_order(actor=agent, type="repair")
        return advance(o, agent, ("dispatch", {"team": org["vend"], "assignee": vendor_user}))

    def move(day, hh, mm=0):
        time_machine.move_to(at(day, hh, mm), tick=False)

    # o1 resolved within the hour: on time, not reopened; its callback satisfied
    o1 = order(2)
    move(2, 10)
    advance(o1, vendor_user, "start", ("resolve", {"resolution": "更换按钮"}))
    # o2 resolved 18 days later: late (2 working days allowed); its callback neutral (solved)
    o2 = order(2)
    move(20, 10)
    advance(o2, vendor_user, "start", ("resolve", {"resolution": "更换钢丝绳"}))
    # o3 resolved, reopened by the agent, resolved again the same morning: on time, but reopened
    o3 = order(3)
    move(3, 10)
    advance(o3, vendor_user, "start", ("resolve", {"resolution": "复位"}))
    move(3, 10, 30)
    advance(o3, agent, ("reopen", {"reason": "客户反映仍有异响"}))
    move(3, 11)
    advance(o3, agent, ("dispatch", {"team": org["vend"], "assignee": vendor_user}))
    advance(o3, vendor_user, "start", ("resolve", {"resolution": "调整导轨"}))
    # o4 resolved in April and o5 another team's: not this vendor's March
    o4 = order(30)
    time_machine.move_to(datetime(2026, 4, 1, 10, tzinfo=TZ), tick=False)
    advance(o4, vendor_user, "start", ("resolve", {"resolution": "x"}))
    move(5, 9)
    o5 = make_work_order(actor=agent, type="repair")
    advance(o5, agent, ("dispatch", {"team": org["mep"]}), "start", ("resolve", {"resolution": "y"}))

    move(25, 9)
    for o, outcome in ((o1, "satisfied"), (o2, "neutral")):
        callback = Callback.objects.get(work_order=o, status="open")
        callback_attempt_record(callback=callback, actor_user=agent, method="phone", reached=True, outcome=outcome,
                                solved=True)

    # nonconformities: one closed by its deadline, one still open, one from a patrol finding
    # (deadline in April: not in March's closure line, but its penalty is March's)
    move(4, 9)
    nc1 = services.nonconformity_create(actor_user=sup, vendor=vendor, description="轿厢照明不足",
                                        deadline=date(2026, 3, 10))
    nc2 = services.nonconformity_create(actor_user=sup, vendor=vendor, description="机房未上锁",
                                        deadline=date(2026, 3, 15))
    move(8, 9)
    services.nonconformity_transition(nonconformity=nc1, action="reply", actor_user=vendor_user, reply="已更换灯管")
    services.nonconformity_transition(nonconformity=nc1, action="verify", actor_user=sup, verification="复查合格")
    # a patrol round on the vendor's route: 4 answers, 1 failed
    make_daily(actor=sup, route=route, person=cast["steward"], times=["09:00"])
    patrols.patrol_rounds_plan(day=date(2026, 3, 9))
    round = PatrolRound.objects.get()
    move(9, 9, 30)
    for cp in route.checkpoints.order_by("sequence"):
        patrols.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=cast["steward"], tag=cp.tag,
                                   answers=answers_for(cp, fail=["供水压力"]))
    finding = Finding.objects.get()
    services.nonconformity_create(actor_user=sup, vendor=vendor, description="水泵房压力不足",
                                  deadline=date(2026, 4, 2), finding=finding)
    finding.refresh_from_db()
    assert finding.status == "nonconformity"

    time_machine.move_to(datetime(2026, 4, 2, 9, tzinfo=TZ), tick=False)
    with pytest.raises(NotAllowed):
        services.scorecard_compute(actor_user=vendor_user, vendor=vendor, month=date(2026, 3, 1))
    card = services.scorecard_compute(actor_user=sup, vendor=vendor, month=date(2026, 3, 17), manual={6: 80})
    lines = [(line.name, line.numerator, line.denominator, line.value, line.weight, line.score)
             for line in card.lines.order_by("sequence")]
    D = Decimal
    assert lines == [
        ("工单按时完成率", 2, 3, D("66.67"), D("30"), D("20.00")),  # o1, o3 on time; o2 late
        ("工单未返工率", 2, 3, D("66.67"), D("20"), D("13.33")),  # o3 reopened
        ("回访满意率", 1, 2, D("50.00"), D("20"), D("10.00")),  # o1 satisfied, o2 neutral
        ("不合格项按期整改率", 1, 2, D("50.00"), D("10"), D("5.00")),  # nc1 closed on the 8th ≤ 10th; nc2 open
        ("巡查合格率", 3, 4, D("75.00"), D("10"), D("7.50")),  # the pressure reading failed
        ("现场管理（经理评分）", None, None, D("80.00"), D("10"), D("8.00")),
    ]
    assert card.total == D("63.83")
    # penalties: three nonconformities found in March × ¥200; below the pass mark 90: 5% of ¥10,000
    assert (card.fee, card.penalties, card.shortfall, card.payable) == (D("10000"), D("600"), D("500"), D("8900"))
    records = services.scorecard_records(scorecard=card, sequence=1)
    assert records == {"line": 1, "model": "work_order", "ids": sorted([o1.pk, o2.pk, o3.pk]),
                       "counted": sorted([o1.pk, o3.pk])}
    assert services.scorecard_records(scorecard=card, sequence=4)["ids"] == sorted([nc1.pk, nc2.pk])

    with pytest.raises(NotAllowed):  # a supervisor computes, a manager signs off
        services.scorecard_sign(scorecard=card, actor_user=sup)
    signed = services.scorecard_sign(scorecard=card, actor_user=cast["manager"])
    assert (signed.status, signed.signed_by_id) == ("signed", cast["manager"].pk)
    with pytest.raises(Conflict):
        services.scorecard_compute(actor_user=sup, vendor=vendor, month=date(2026, 3, 1))
    assert list(signed.events.order_by("id").values_list("action", flat=True)) == ["compute", "sign"]
