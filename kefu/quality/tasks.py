"""Periodic QA work: every Monday early morning, draw last week's sample of each agent's orders."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.quality.sampling import week_start_of
from kefu.quality.services import qa_sample_week, quality_settings


def last_week_start(today):
    return week_start_of(today) - timedelta(days=7)


@db_periodic_task(crontab(day_of_week="1", hour="1", minute="23"))
def qa_weekly_sampling_task() -> int:
    from django.utils import timezone

    if not quality_settings().sampling_enabled:
        return 0
    return len(qa_sample_week(week_start=last_week_start(timezone.localdate())))
