"""Daily survey reminders for non-respondents (idempotent: the service spaces them out itself)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.surveys.services import reminders_send


@db_periodic_task(crontab(hour="10", minute="0"))
def survey_reminders_task() -> int:
    return reminders_send()
