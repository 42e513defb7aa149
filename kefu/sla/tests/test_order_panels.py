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


def test_queue_rows_carry_a_deadline_chip_per_state_saying_working_or_calendar_time(
        client, cast, django_assert_max_num_queries):
    from datetime import timedelta

    from kefu.sla.models import SlaClock

    now = timezone.now()
    titles = {"running": "计时中的单", "warning": "将到期的单", "breached": "已超时的单", "paused": "暂停的单"}
    orders = {state: make_work_order(actor=cast["agent"], type="repair", title=title)
              for state, title in titles.items()}
    # Calendar-time clocks, so the minutes left do not depend on when the test runs.
    for order in orders.values():
        clocks = SlaClock.objects.filter(work_order=order, stopped_at=None)
        assert clocks.exists()
        clocks.update(business=False, due_at=now + timedelta(hours=3, minutes=10), warn_at=None, paused_at=None)
    SlaClock.objects.filter(work_order=orders["warning"]).update(warn_at=now - timedelta(minutes=1))
    SlaClock.objects.filter(work_order=orders["breached"]).update(due_at=now - timedelta(minutes=20))
    SlaClock.objects.filter(work_order=orders["paused"]).update(paused_at=now - timedelta(hours=1))
    client.force_login(cast["agent"])
    with django_assert_max_num_queries(24):
        html = client.get("/work-orders/", {"queue": "all"}).content.decode()
    for state in titles:
        assert f"kefu-deadline-{state}" in html
    assert html.count("剩余 3 小时（自然时间）") == 2 * 2  # running and warning, desktop column and phone line
    assert html.count("超时 20 分钟（自然时间）") == 2
    assert html.count("已暂停 · 剩余 4 小时（自然时间）") == 2  # paused an hour ago: counted from then
    assert "text-bg-warning kefu-deadline kefu-deadline-warning" in html
    assert "text-bg-danger kefu-deadline kefu-deadline-breached" in html


def test_deadline_text_says_working_or_calendar_time_in_both_languages():
    from django.utils import translation

    from kefu.sla.templatetags.sla import deadline_text

    with translation.override("zh-hans"):
        assert deadline_text(180, True) == "剩余 3 工作小时"
        assert deadline_text(-45, True) == "超时 45 工作分钟"
        assert deadline_text(150, False) == "剩余 2 小时（自然时间）"
    with translation.override("en"):
        assert deadline_text(180, True) == "3 working hours left"
        assert deadline_text(60, True) == "1 working hour left"
        assert deadline_text(-45, False) == "45 minutes overdue"
    assert deadline_text(None, True) == ""


def test_the_order_page_clock_card_says_working_hours_like_the_queue(client, cast):
    from datetime import timedelta

    from kefu.sla.models import SlaClock

    order = make_work_order(actor=cast["agent"], type="repair")
    SlaClock.objects.filter(work_order=order, stopped_at=None).update(
        business=False, due_at=timezone.now() + timedelta(hours=5, minutes=10), paused_at=None)
    client.force_login(cast["agent"])
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert "剩余 5 小时（自然时间）" in html
