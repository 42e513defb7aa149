"""Quarterly and annual report schedules: delivered at 09:00 of the first working day of the new
quarter or year (China's holiday table: National Day, New Year and its make-up Sunday), each
period once, and a change of frequency that neither resends nor skips."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.notifications.models import OutboundMessage
from kefu.reports import services
from kefu.reports.models import GeneratedReport

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
BASE = "http://kefu.test"
d = dt.date.fromisoformat


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_PUBLIC_BASE_URL = BASE


def _period(frequency, when):
    period = services.schedule_period(frequency=frequency, now=at(when), tz="Asia/Shanghai")
    return period.start.isoformat(), period.end.isoformat()


def test_due_days_follow_the_holiday_table():
    # Q4 2026 starts on National Day (1–7 October off): the third quarter is due on Thursday 8 October.
    assert services.schedule_due_day(frequency="quarterly", period_end=d("2026-09-30")) == d("2026-10-08")
    # 2026 begins with New Year (1–2 January off, 3rd a Saturday) and a make-up working Sunday, the 4th.
    assert services.schedule_due_day(frequency="annual", period_end=d("2025-12-31")) == d("2026-01-04")
    assert services.schedule_due_day(frequency="quarterly", period_end=d("2026-06-30")) == d("2026-07-01")
    # Weekly and monthly keep their calendar day.
    assert services.schedule_due_day(frequency="monthly", period_end=d("2026-09-30")) == d("2026-10-01")


@pytest.mark.parametrize("frequency, when, period", [
    ("quarterly", "2026-10-07 12:00", ("2026-04-01", "2026-06-30")),  # the holiday: Q3 not due yet
    ("quarterly", "2026-10-08 08:59", ("2026-04-01", "2026-06-30")),
    ("quarterly", "2026-10-08 09:00", ("2026-07-01", "2026-09-30")),
    ("quarterly", "2026-07-01 09:00", ("2026-04-01", "2026-06-30")),
    ("quarterly", "2026-12-31 23:00", ("2026-07-01", "2026-09-30")),
    ("annual", "2026-01-03 10:00", ("2024-01-01", "2024-12-31")),
    ("annual", "2026-01-04 09:00", ("2025-01-01", "2025-12-31")),
    ("annual", "2026-11-30 10:00", ("2025-01-01", "2025-12-31")),
])
def test_the_period_reported(frequency, when, period):
    assert _period(frequency, when) == period


def test_quarterly_schedule_runs_once_on_the_first_working_day(cast):
    schedule = services.report_schedule_create(actor_user=cast["manager"], name="季度服务分析", report="service_analysis",
                                               frequency="quarterly", recipients=["boss@example.com"])
    with time_machine.travel(at("2026-10-08 09:05"), tick=False):
        first = services.report_schedules_run(base_url=BASE)
    with time_machine.travel(at("2026-10-09 10:05"), tick=False):
        again = services.report_schedules_run(base_url=BASE)
    assert [(g.period_start, g.period_end) for g in first] == [(d("2026-07-01"), d("2026-09-30"))]
    assert again == []
    assert GeneratedReport.objects.filter(schedule=schedule).count() == 1
    assert OutboundMessage.objects.filter(to_address="boss@example.com").count() == 1
    schedule.refresh_from_db()
    assert schedule.last_period_start == d("2026-07-01")


def test_annual_schedule_and_a_change_to_quarterly(cast):
    schedule = services.report_schedule_create(actor_user=cast["director"], name="年度服务分析", report="service_analysis",
                                               frequency="annual", recipients=["gm@example.com"])
    with time_machine.travel(at("2026-01-04 09:05"), tick=False):
        done = services.report_schedules_run(base_url=BASE)
    assert [(g.period_start, g.period_end) for g in done] == [(d("2025-01-01"), d("2025-12-31"))]
    # 2025 is covered: its last quarter counts as delivered, the first quarter of 2026 goes out next.
    schedule = services.report_schedule_update(actor_user=cast["director"], schedule=schedule, frequency="quarterly")
    assert schedule.last_period_start == d("2025-10-01")
    with time_machine.travel(at("2026-04-01 09:05"), tick=False):
        done = services.report_schedules_run(base_url=BASE)
    assert [(g.period_start, g.period_end) for g in done] == [(d("2026-01-01"), d("2026-03-31"))]


def test_an_unknown_frequency_names_the_field(cast):
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.report_schedule_create(actor_user=cast["manager"], name="x", report="service_analysis",
                                        frequency="fortnightly", recipients=["a@example.com"])
    assert list(error.value.fields) == ["frequency"]
