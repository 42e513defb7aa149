"""Periodic SLA sweep (every KEFU_SLA_SWEEP_MINUTES minutes, default 1): id-free and idempotent."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.sla.services import sla_sweep


@db_periodic_task(crontab(minute=f"*/{settings.KEFU_SLA_SWEEP_MINUTES}"))
def sla_sweep_task() -> int:
    return sla_sweep()
