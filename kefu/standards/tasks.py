"""Periodic standards work: every hour (at :35, after the reports' :05 delivery), raise the
warnings of the standards about to be missed — each occurrence once (services.standards_warn)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="35"))
def standards_warn_task() -> int:
    from kefu.standards.services import standards_warn

    return len(standards_warn())
