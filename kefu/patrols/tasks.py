"""Patrol background work: plan today's rounds, sweep missed ones (both idempotent)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.patrols.services import patrol_rounds_plan, patrol_rounds_sweep


@db_periodic_task(crontab(minute="3", hour="0"))
def patrol_rounds_plan_task() -> int:
    return patrol_rounds_plan(day=timezone.localdate())


@db_periodic_task(crontab(minute="*/5"))
def patrol_rounds_sweep_task() -> dict[str, int]:
    # Rounds of today are planned before any of them can be missed, also after a restart.
    patrol_rounds_plan(day=timezone.localdate())
    return patrol_rounds_sweep()
