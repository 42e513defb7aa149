"""Demo data for patrols, routing and vendors (called by `manage.py demo_data` after the orders):
two routes with schedules, a week of rounds (done, late, missed, findings raised), five vendors
with contracts, last month's nonconformities and scorecards (one signed off), and a routing rule
(elevator repairs → the elevator vendor, round robin). Through the real services; idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.org.models import Department
from kefu.org.services import department_create

ROUTES = [
    ("公共区域日常巡查", "CH-CS", [
        {"name": "1号楼大堂", "tag": "QR-CH-B1-LOBBY", "location": "1号楼一层",
         "items": [{"text": "地面清洁无垃圾"}, {"text": "照明正常"}]},
        {"name": "地下车库入口", "tag": "QR-CH-GARAGE", "location": "B1",
         "items": [{"text": "道闸运行正常"}, {"text": "无积水"}]},
        {"name": "中心花园", "tag": "QR-CH-GARDEN", "location": "小区中央",
         "items": [{"text": "绿植修剪整齐"}, {"text": "无枯枝落叶堆积"}]},
    ]),
    ("设备房巡检", "CH-ENG", [
        {"name": "水泵房", "tag": "NFC-CH-PUMP", "location": "地下一层",
         "items": [{"text": "供水压力", "kind": "value", "unit": "MPa", "min_value": "0.30", "max_value": "0.60"}]},
        {"name": "配电房", "tag": "NFC-CH-POWER", "location": "地下一层",
         "items": [{"text": "无异响异味"}, {"text": "消防器材齐全"}]},
        {"name": "电梯机房", "tag": "NFC-CH-LIFT", "location": "1号楼顶层",
         "items": [{"text": "机房门已上锁"}, {"text": "温度正常"}]},
    ]),
]

VENDORS = [  # name, scope, team code, team name, fee
    ("奥达电梯维保有限公司", "lift", "CH-VENDOR-LIFT", None, "12000"),
    ("洁美保洁服务有限公司", "cleaning", "CH-VENDOR-CLEAN", "保洁（外包）", "36000"),
    ("绿源园林绿化有限公司", "greenery", "CH-VENDOR-GREEN", "绿化（外包）", "15000"),
    ("安泰保安服务有限公司", "security", "CH-VENDOR-SEC", "秩序维护（外包）", "48000"),
    ("康居有害生物防治有限公司", "pest_control", "CH-VENDOR-PEST", "消杀（外包）", "3000"),
]

FORM = [
    {"name": "工单按时完成率", "metric": "on_time_rate", "weight": "30"},
    {"name": "工单未返工率", "metric": "not_reopened_rate", "weight": "15"},
    {"name": "回访满意率", "metric": "callback_satisfaction", "weight": "20"},
    {"name": "不合格项按期整改率", "metric": "nonconformity_closure", "weight": "15"},
    {"name": "巡查合格率", "metric": "patrol_pass_rate", "weight": "10"},
    {"name": "现场管理（经理评分）", "metric": "manual", "weight": "10"},
]


def create_demo_patrols() -> str:
    from kefu.patrols import services as patrols
    from kefu.patrols.models import Finding, PatrolRound, PatrolRoute
    from kefu.routing.services import routing_rule_create
    from kefu.vendors import services as vendors
    from kefu.vendors.models import Vendor
    from kefu.workorders.models import Category

    if PatrolRoute.objects.exists() or not Department.objects.filter(code="CH-CS").exists():
        return "patrols: demo data already present (or no demo organisation)"
    users = get_user_model().objects.in_bulk(["supervisor", "manager", "steward", "tech", "vendor"],
                                             field_name="username")
    sup, manager, steward, tech = users["supervisor"], users["manager"], users["steward"], users["tech"]
    admin = get_user_model().objects.filter(username="admin").first() or sup
    depts = Department.objects.in_bulk([r[1] for r in ROUTES] + ["CH-ENG", "CH-ENV"], field_name="code")
    routes = [patrols.patrol_route_create(actor_user=admin, name=name, department=depts[code], checkpoints=cps)
              for name, code, cps in ROUTES]
    patrols.patrol_schedule_create(actor_user=admin, route=routes[0], frequency="daily", person=steward,
                                   times=["09:00", "15:00"], workdays_only=True)
    patrols.patrol_schedule_create(actor_user=admin, route=routes[1], frequency="daily", person=tech, times=["10:00"])
    patrols.patrol_schedule_create(actor_user=admin, route=routes[0], frequency="weekly", person=manager, per_week=1)
    today = timezone.localdate()
    for n in range(13, -1, -1):
        patrols.patrol_rounds_plan(day=today - timedelta(days=n))
    # walk most past rounds (one in five left missed; every fourth walked late), a few findings
    now = timezone.now()
    walked = 0
    for i, round in enumerate(PatrolRound.objects.filter(missed_after__lte=now).order_by("due_at", "id")):
        if i % 5 == 4:
            continue
        start = round.due_at + timedelta(minutes=90 if i % 4 == 3 else 10)
        for k, cp in enumerate(round.route.checkpoints.order_by("sequence")):
            answers = []
            for item in cp.items.order_by("sequence"):
                fail = i % 7 == 2 and k == 0 and item.sequence == 1
                if item.kind == "value":
                    answers.append({"item": item.pk, "value": "0.22" if i % 9 == 1 else "0.45"})
                else:
                    answers.append({"item": item.pk, "result": "fail" if fail else "pass",
                                    "note": "现场发现问题，已拍照" if fail else ""})
            patrols.patrol_round_visit(round=round, checkpoint_id=cp.pk, actor_user=round.assignee, tag=cp.tag,
                                       answers=answers, visited_at=min(start + timedelta(minutes=5 * k), now))
        walked += 1
    swept = patrols.patrol_rounds_sweep()
    # vendors, contracts, a month of records
    eng = depts["CH-ENG"]
    made: list[Vendor] = []
    for name, scope, code, team_name, fee in VENDORS:
        team = Department.objects.filter(code=code).first() or department_create(
            name=team_name or name, code=code, kind="team", parent=depts["CH-ENV"] if scope != "lift" else eng)
        vendor = vendors.vendor_create(actor_user=admin, name=name, service_scope=scope, team=team,
                                       licence_no="9131000000000000XX", contact_name="项目经理",
                                       contact_phone="021-50000000", routes=routes if scope in ("lift", "cleaning",
                                                                                                "greenery") else [])
        vendors.contract_create(actor_user=admin, vendor=vendor, number=f"HT-{today.year}-{len(made) + 1:03d}",
                                starts_on=date(today.year - 1, 1, 1), ends_on=date(today.year + 1, 12, 31),
                                monthly_fee=fee, items=FORM, service_items=[scope], pass_mark="85",
                                penalty_per_nonconformity="300", shortfall_deduction_percent="5")
        made.append(vendor)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    for n, vendor in enumerate(made):
        for m in range(n % 3 + 1):
            found = datetime.combine(last_month + timedelta(days=3 + 7 * m), time(10), tzinfo=tz)
            nc = vendors.nonconformity_create(actor_user=sup, vendor=vendor, found_at=found,
                                              deadline=found.date() + timedelta(days=5),
                                              description=["作业人员未按规定着装", "保养记录未及时填写",
                                                           "责任区域卫生不达标"][m])
            if m == 0:
                vendor_user = users["vendor"] if vendor.team.code == "CH-VENDOR-LIFT" else None
                if vendor_user is not None:
                    vendors.nonconformity_transition(nonconformity=nc, action="reply", actor_user=vendor_user,
                                                     reply="已整改并加强培训")
                    vendors.nonconformity_transition(nonconformity=nc, action="verify", actor_user=sup,
                                                      verification="复查合格")
    finding = Finding.objects.filter(status="open").first()
    if finding is not None:
        patrols.finding_to_work_order(finding=finding, actor_user=finding.round.assignee)
    cleaning = Vendor.objects.get(service_scope="cleaning")
    # (a finding on a round the supervisor sees: other demo estates have rounds of their own)
    from kefu.org.selectors import require_actor
    from kefu.patrols.selectors import round_list_for_actor

    seen = round_list_for_actor(actor=require_actor(sup)).values("pk")
    for finding in Finding.objects.filter(status="open", round__in=seen).order_by("pk")[:1]:
        vendors.nonconformity_create(actor_user=sup, vendor=cleaning, finding=finding,
                                     description="巡查发现：" + finding.item.text, deadline=today + timedelta(days=3))
    cards = [vendors.scorecard_compute(actor_user=sup, vendor=v, month=last_month, manual={6: 85 + n})
             for n, v in enumerate(made)]
    vendors.scorecard_sign(scorecard=cards[0], actor_user=manager)
    elevator = Category.objects.filter(code="prop.repair.elevator").first()
    lift = Vendor.objects.get(service_scope="lift")
    if elevator is not None:
        routing_rule_create(actor_user=admin, team=lift.team, priority=10, name="电梯报修 → 电梯维保",
                            type="repair", category=elevator, assignment="round_robin")
    return (f"patrols: {len(routes)} routes, {walked} rounds walked, {swept['missed']} missed; "
            f"{len(made)} vendors with contracts, nonconformities and {len(cards)} scorecards; 1 routing rule")
