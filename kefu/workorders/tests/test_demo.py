"""Demo data: loaded once, every status present, and histories that agree with the orders."""

from collections import Counter

import pytest
from django.core.management import call_command

from kefu.core.models import NumberSequence
from kefu.workorders import demo
from kefu.workorders.choices import Status
from kefu.workorders.models import PlanApproval, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

TRANSITIONS = {"create", "accept", "dispatch", "start", "hold", "resume", "resolve", "close", "reopen", "cancel"}


def test_demo_data_twice_adds_nothing(capsys):
    call_command("demo_data", orders=40, customers=30)
    counts = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), PlanApproval.objects.count())
    assert counts[0] == 40
    call_command("demo_data", orders=40, customers=30)
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), PlanApproval.objects.count()) == counts
    assert "40 work orders already present; nothing added" in capsys.readouterr().out


@pytest.fixture
def demo_orders():
    demo.create_demo_org(customers=60)
    demo.generate_work_orders(count=200, batch_size=70)
    return list(WorkOrder.objects.all())


def test_every_status_present(demo_orders):
    counts = Counter(o.status for o in demo_orders)
    assert set(counts) == set(Status.values)
    assert all(n >= 4 for n in counts.values()), counts
    assert counts[Status.CLOSED] > counts[Status.NEW]


def test_histories_agree_with_orders(demo_orders):
    events = {}
    for e in WorkOrderEvent.objects.order_by("created_at", "id"):
        events.setdefault(e.work_order_id, []).append(e)
    for order in demo_orders:
        history = events[order.pk]
        assert history[0].action == "create"
        moves = [e for e in history if e.action in TRANSITIONS]
        assert moves[-1].to_status == order.status, order.number
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status, order.number
            assert after.created_at >= before.created_at
        assert order.version == len(history), order.number
        assert history[0].created_at == order.received_at
        if order.status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED):
            assert order.team_id and order.assignee_id
        if order.status == Status.RESOLVED:
            assert order.resolved_at and not order.closed_at
        if order.status == Status.CLOSED:
            assert order.resolved_at <= order.closed_at


def test_plans_agree_with_orders(demo_orders):
    for order in demo_orders:
        approvals = list(PlanApproval.objects.filter(work_order=order))
        if order.plan_status == "none":
            assert approvals == []
        else:
            [approval] = approvals
            assert approval.decision == order.plan_status
            assert approval.required_role == order.plan_role
            assert order.plan_role.covers(complaint_level=order.complaint_level, amount=order.compensation_amount)
        if order.needs_approved_plan and order.status in (Status.RESOLVED, Status.CLOSED):
            assert order.plan_status == "approved", order.number


def test_numbers_unique_and_below_counters(demo_orders):
    numbers = [o.number for o in demo_orders]
    assert len(set(numbers)) == len(numbers)
    assert demo.max_sequence_consistent()
    last = dict(NumberSequence.objects.values_list("key", "last_value"))
    per_day = Counter(n.rsplit("-", 1)[0] for n in numbers)
    assert per_day == {k: v for k, v in last.items() if k in per_day}


def test_more_orders_continue_the_numbering(demo_orders):
    demo.generate_work_orders(count=30, seed=99)
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(numbers) == 230 and len(set(numbers)) == 230
