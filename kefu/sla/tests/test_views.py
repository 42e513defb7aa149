"""SLA on the pages: clocks on the work-order page, the due column, the administrators' banner."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from kefu.sla.models import HolidayYear
from kefu.sla.selectors import holiday_years_needed
from kefu.workorders.tests.factories import make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def test_order_page_shows_each_clock_with_time_left(client, cast):
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=TZ), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    cast["agent"].staff.language = "en"
    cast["agent"].staff.save()
    client.force_login(cast["agent"])
    with time_machine.travel(datetime(2026, 11, 23, 11, tzinfo=TZ), tick=False):
        html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="sla-clocks"' in html
    assert "First response" in html and "30 working minutes overdue" in html  # due 10:30 (business time)
    assert "Resolution" in html and "15 working hours left" in html       # 900 business minutes
    assert "2026-11-25 10:00" in html


def test_queue_marks_overdue_orders(client, cast):
    order = make_work_order(actor=cast["agent"], type="repair", priority="normal",
                            received_at=timezone.now() - timedelta(days=5))
    client.force_login(cast["agent"])
    html = client.get("/work-orders/?queue=all&ordering=due").content.decode()
    assert order.number in html and "bi-alarm" in html


def test_administrators_see_missing_holiday_years(client, cast):
    HolidayYear.objects.filter(year__gte=2027).delete()
    client.force_login(cast["administrator"])
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=TZ), tick=False):
        assert 'id="holiday-data-missing-2027"' in client.get("/work-orders/").content.decode()
        HolidayYear.objects.create(year=2027, source="test")
        assert "holiday-data-missing" not in client.get("/work-orders/").content.decode()


def test_others_do_not_see_the_banner(client, cast):
    client.force_login(cast["agent"])
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=TZ), tick=False):
        assert "holiday-data-missing" not in client.get("/work-orders/").content.decode()


def test_years_needed_include_deadlines_of_running_clocks(cast):
    with time_machine.travel(datetime(2026, 12, 31, 17, tzinfo=TZ), tick=False):
        make_work_order(actor=cast["agent"], type="repair", priority="normal")
    assert holiday_years_needed(today=date(2026, 6, 1)) == [2027]
    assert holiday_years_needed(today=date(2025, 6, 1)) == [2027]
