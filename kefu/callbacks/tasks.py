"""Background work for callbacks: the sampling draw of ended periods (idempotent)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.callbacks.services import callback_sampling_run_due


@db_periodic_task(crontab(minute="20"))
def callbacks_sample_periodic_task() -> list[int]:
    """Hourly: draws each sample rule's last ended period once (a period already drawn is kept),
    so a worker that was down on Monday morning still draws last week when it comes back."""
    return [run.pk for run in callback_sampling_run_due()]
