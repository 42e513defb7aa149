"""SLA serves its own parts of the work-order page (`{% load sla %}`): the clocks panel and an
escalation step's rows on the timeline; the work-order views and tags import nothing of SLA."""

from django.db import transaction
from django.utils import timezone

from kefu.workorders.services import work_order_escalate
from kefu.workorders.tests.factories import make_work_order


def test_the_timeline_shows_an_escalation_step_with_its_clock_and_who_was_notified(client, cast):
    order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    with transaction.atomic():
        work_order_escalate(work_order_id=order.pk, at=timezone.now(), raise_priority=True,
                            data={"clock": "resolution", "kind": "escalation", "step": 2, "notify": "supervisor"})
    client.force_login(cast["agent"])
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert '<span class="me-2">时限计时: 办结</span>' in html
    assert '<span class="me-2">升级: 第 2 级</span>' in html
    assert '<span class="me-2">已通知: 客服主管</span>' in html
    assert 'id="sla-clocks"' in html and html.count('id="sla-clocks"') == 1


def test_a_warning_names_the_assignee_and_other_events_have_no_sla_rows(client, cast):
    order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    with transaction.atomic():
        work_order_escalate(work_order_id=order.pk, at=timezone.now(),
                            data={"clock": "first_response", "kind": "warning", "step": 1, "notify": "assignee"})
    client.force_login(cast["agent"])
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert html.count("时限计时:") == 1  # only the escalate event, not the create event
    assert '<span class="me-2">预警: 第 1 级</span>' in html
    assert '<span class="me-2">已通知: 处理人</span>' in html
