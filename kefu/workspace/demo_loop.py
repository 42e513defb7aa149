"""Demo of the loop after the fix, run through the real services (not bulk inserts): fresh orders
resolved today get SLA clocks, callback tasks and rating links; some callbacks are recorded
(satisfied, dissatisfied → reopened, unreachable), some customers rate. Then the survey campaign,
last week's QA sample and a month's repeated-complaint check, so every page of the loop has data.

Idempotent: does nothing when callbacks exist already.
"""

import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.callbacks.models import Callback
from kefu.customers.models import Customer
from kefu.org.models import Department
from kefu.workorders.models import Category
from kefu.workorders.services import work_order_create, work_order_transition

COMPLAINTS = [("服务态度差", "前台人员态度冷淡，未及时处理。"), ("噪音扰民", "楼上装修噪音超时施工。"),
              ("垃圾清运不及时", "单元门口垃圾两天未清运。")]
REPAIRS = [("卫生间漏水", "卫生间天花板渗水到楼下。"), ("灯具损坏", "楼道灯不亮。"), ("门锁故障", "入户门锁卡住。")]


def _category(type_: str) -> Category:
    for category in Category.objects.filter(industry="property", children__isnull=True).order_by("code"):
        if category.allows_type(type_):
            return category
    raise LookupError(type_)


def create_demo_loop(*, orders: int = 24, seed: int = 3) -> int:
    """Run `orders` fresh orders from intake to resolution and part of the callback loop; returns
    how many orders it made (0 when the demo already has callbacks or staff is missing)."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["agent", "agent2", "supervisor", "tech", "qa"])}
    mep = Department.objects.filter(code="CH-ENG-MEP").first()
    if Callback.objects.exists() or len(users) < 5 or mep is None:
        return 0
    rng = random.Random(seed)
    customers = list(Customer.objects.filter(phones__isnull=False).order_by("pk")[:200])
    made = 0
    for n in range(orders):
        complaint = n % 3 == 0
        title, description = rng.choice(COMPLAINTS if complaint else REPAIRS)
        customer = rng.choice(customers) if customers else None
        phone = customer.phones.first().number if customer else ""  # type: ignore[union-attr]  # not None on this path (set or checked before)
        with transaction.atomic():
            intake = rng.choice([users["agent"], users["agent2"]])
            order = work_order_create(
                actor_user=intake, type="complaint" if complaint else "repair", channel=rng.choice(["phone", "walk_in"]),
                category=_category("complaint" if complaint else "repair"), title=title, description=description,
                customer=customer, contact_name=customer.name if customer else "", contact_phone=phone)
            order = work_order_transition(work_order=order, action="accept", actor_user=intake)
            if not complaint:
                order = work_order_transition(work_order=order, action="dispatch", actor_user=users["supervisor"],
                                              team=mep, assignee=users["tech"])
                order = work_order_transition(work_order=order, action="start", actor_user=users["tech"])
            if n % 4 != 3:  # a quarter stay open, with their clocks running
                worker = intake if complaint else users["tech"]
                work_order_transition(work_order=order, action="resolve", actor_user=worker,
                                      resolution="已处理并向客户说明。" if complaint else "已修复，客户确认。")
        made += 1
    _record_some_callbacks(users, rng)
    return made


def _record_some_callbacks(users, rng) -> None:
    from kefu.callbacks.services import callback_attempt_record

    open_callbacks = list(Callback.objects.filter(status="open", on_site_required=False).order_by("pk"))
    for i, callback in enumerate(open_callbacks[:9]):
        if i % 3 == 0:
            callback_attempt_record(callback=callback, actor_user=users["agent"], method="phone", reached=True,
                                    outcome="very_satisfied", solved=True, comment="客户表示满意。")
        elif i % 3 == 1:
            callback_attempt_record(callback=callback, actor_user=users["agent"], method="phone", reached=True,
                                    outcome="dissatisfied", solved=False, comment="问题未彻底解决，要求再次上门。")
        else:
            for _ in range(callback.max_attempts):
                callback_attempt_record(callback=callback, actor_user=users["agent"], method="phone",
                                        reached=False, comment="无人接听")


def create_demo_follow_through() -> dict:
    """The survey campaign, last week's QA sample and the repeated-complaint check, each guarded
    by its own idempotency."""
    from datetime import timedelta

    from kefu.improvement.services import corrective_action_propose_repeated_complaints
    from kefu.quality.services import qa_sample_week
    from kefu.surveys.demo import create_demo_survey

    today = timezone.localdate()
    last_monday = today - timedelta(days=today.weekday() + 7)
    campaign = create_demo_survey()
    checks = qa_sample_week(week_start=last_monday)
    notices = corrective_action_propose_repeated_complaints(year=today.year, month=today.month)
    scorecards = create_demo_scorecards(today=today)
    return {"survey_campaign": campaign.pk if campaign else None, "qa_checks": len(checks),
            "corrective_actions": len(notices), "scorecards": scorecards}


# The agents' quarterly scorecard (the seeded ones are the manager's and the supervisor's): what an
# agent is measured on from Kefu's own records, and the supervisor's mark for the rest.
AGENT_TEMPLATE: dict[str, Any] = {
    "code": "DEMO-CS-AGENT-Q", "name": "客服专员季度考核", "name_en": "Service agent, quarterly", "role": "agent",
    "indicators": [
        {"code": "satisfaction", "name": "回访满意率", "name_en": "Callback satisfaction rate", "weight": "40",
         "source": "satisfaction", "rule": "linear", "floor": "80", "target": "95"},
        {"code": "qa_average", "name": "质检平均分", "name_en": "QA average score", "weight": "40",
         "source": "qa_average", "rule": "linear", "floor": "60", "target": "90"},
        {"code": "discipline", "name": "工作纪律与协作", "name_en": "Discipline and teamwork", "weight": "20",
         "source": "manual", "rule": "manual", "entered_by_role": "supervisor"},
    ],
}


def create_demo_scorecards(*, today) -> int:
    """This quarter's KPI scorecards for every role with a template (agent, supervisor, manager),
    so each has one to look at; the agents' template is added once. Idempotent."""
    from django.contrib.auth import get_user_model

    from kefu.kpi.models import ScorecardTemplate
    from kefu.kpi.services import scorecard_generate_quarter, scorecard_template_create

    if not ScorecardTemplate.objects.filter(code=AGENT_TEMPLATE["code"]).exists():
        admin = get_user_model().objects.get(username="admin")
        scorecard_template_create(actor_user=admin, **AGENT_TEMPLATE)
    return len(scorecard_generate_quarter(year=today.year, quarter=(today.month - 1) // 3 + 1))
