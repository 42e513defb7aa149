"""Periodic KPI work: every night, generate this quarter's scorecards and recompute the drafts
(and, in a quarter's first two weeks, last quarter's drafts still waiting for sign-off)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.kpi.selectors import quarter_of
from kefu.kpi.services import scorecard_generate_quarter


def quarters_to_generate(today) -> list[tuple[int, int]]:
    result = [quarter_of(today)]
    previous = quarter_of(today - timedelta(days=15))
    if previous != result[0]:
        result.insert(0, previous)
    return result


@db_periodic_task(crontab(hour="3", minute="41"))
def kpi_generate_task() -> int:
    from django.utils import timezone

    return sum(len(scorecard_generate_quarter(year=y, quarter=q)) for y, q in quarters_to_generate(timezone.localdate()))
