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
    from kefu.callbacks.models import Callback
    from kefu.sla.models import SlaClock

    call_command("demo_data", orders=40, customers=30)
    counts = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), PlanApproval.objects.count(),
              Callback.objects.count(), SlaClock.objects.count())
    # 40 generated orders plus 24 run through the real services (clocks, callbacks, ratings)
    assert counts[0] == 64
    assert counts[3] > 0 and counts[4] > 0
    call_command("demo_data", orders=40, customers=30)
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), PlanApproval.objects.count(),
            Callback.objects.count(), SlaClock.objects.count()) == counts
    assert "64 work orders already present; nothing added" in capsys.readouterr().out


def test_demo_orders_agree_with_their_histories():
    # given 200 generated orders (one data set for all the checks: generating it dominates)
    demo.create_demo_org(customers=60)
    demo.generate_work_orders(count=200, batch_size=70)
    orders = list(WorkOrder.objects.select_related("plan_role"))
    _every_status_present(orders)
    _histories_agree(orders)
    _plans_agree(orders)
    _numbers_unique_and_below_counters(orders)
    # and more orders continue the day counters
    demo.generate_work_orders(count=20, seed=99)
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(numbers) == 220 and len(set(numbers)) == 220
    assert demo.max_sequence_consistent()


def _every_status_present(orders):
    counts = Counter(o.status for o in orders)
    assert set(counts) == set(Status.values)
    assert all(n >= 4 for n in counts.values()), counts
    assert counts[Status.CLOSED] > counts[Status.NEW]


def _histories_agree(orders):
    events = {}
    for e in WorkOrderEvent.objects.order_by("created_at", "id"):
        events.setdefault(e.work_order_id, []).append(e)
    for order in orders:
        history = events[order.pk]
        assert history[0].action == "create"
        assert history[0].created_at == order.received_at
        moves = [e for e in history if e.action in TRANSITIONS]
        assert moves[-1].to_status == order.status, order.number
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status, order.number
        assert order.version == len(history), order.number
        if order.status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED):
            assert order.team_id and order.assignee_id
        if order.status == Status.RESOLVED:
            assert order.resolved_at and not order.closed_at
        if order.status == Status.CLOSED:
            assert order.resolved_at <= order.closed_at


def _plans_agree(orders):
    approvals = {a.work_order_id: a for a in PlanApproval.objects.all()}
    assert len(approvals) == PlanApproval.objects.count()
    for order in orders:
        approval = approvals.get(order.pk)
        if order.plan_status == "none":
            assert approval is None
        else:
            assert approval.decision == order.plan_status
            assert approval.required_role_id == order.plan_role_id
            assert order.plan_role.covers(complaint_level=order.complaint_level, amount=order.compensation_amount)
        if order.needs_approved_plan and order.status in (Status.RESOLVED, Status.CLOSED):
            assert order.plan_status == "approved", order.number


def _numbers_unique_and_below_counters(orders):
    numbers = [o.number for o in orders]
    assert len(set(numbers)) == len(numbers)
    last = dict(NumberSequence.objects.values_list("key", "last_value"))
    per_day = Counter(n.rsplit("-", 1)[0] for n in numbers)
    assert per_day == {k: v for k, v in last.items() if k in per_day}
