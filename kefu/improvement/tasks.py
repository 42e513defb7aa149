"""Periodic corrective-action work: the overdue sweep (hourly) and the monthly repeated-complaint check."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.improvement.services import (
    corrective_action_escalate_overdue,
    corrective_action_propose_repeated_complaints,
)


def previous_month(today) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@db_periodic_task(crontab(minute="7"))
def corrective_action_escalate_task() -> int:
    return corrective_action_escalate_overdue()


@db_periodic_task(crontab(day="1", hour="2", minute="17"))
def repeated_complaints_task() -> int:
    from django.utils import timezone

    year, month = previous_month(timezone.localdate())
    return len(corrective_action_propose_repeated_complaints(year=year, month=month))
