"""Factories for QA checks: orders made through the work-order services, checks drawn by the real
weekly sampling and moved through `qa_check_transition`."""

from django.utils import timezone

from kefu.quality.sampling import week_start_of
from kefu.quality.services import qa_check_transition, qa_sample_week
from kefu.workorders.tests.factories import make_work_order

ALL_FULL = {"greeting": 100, "logging": 100, "category": 100, "promise": 100, "resolution": 100, "readback": 100}
# 15×60 + 20×70 + 15×50 + 20×60 + 20×80 + 10×0 = 5850 → 58.50 points: below the 80 threshold.
FAILING = {"greeting": 60, "logging": 70, "category": 50, "promise": 60, "resolution": 80, "readback": 0}


def sample_checks(*, agent, orders: int = 1, per_agent: int = 1):
    """`orders` orders received by `agent` this week, and this week's sample of them."""
    for i in range(orders):
        make_work_order(actor=agent, title=f"来电咨询 {i}")
    return qa_sample_week(week_start=week_start_of(timezone.localdate()), per_agent=per_agent)


def scored_check(*, agent, qa, scores=None, comment: str = "礼貌用语规范"):
    check = sample_checks(agent=agent)[0]
    return qa_check_transition(check=check, action="score", actor_user=qa, scores=scores or ALL_FULL,
                               comment=comment)
