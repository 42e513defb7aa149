"""Background work of the exchange app: id in, service call out, idempotent."""

from huey.contrib.djhuey import db_task

from kefu.exchange.services import import_job_run


@db_task()
def import_job_run_task(job_id: int, commit: bool) -> dict:
    # No retries: a failed run is marked failed on the job, and the user starts it again.
    return import_job_run(job_id=job_id, commit=commit)
