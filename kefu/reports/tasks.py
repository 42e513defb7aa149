"""Huey tasks: the scheduled report deliveries (every hour; the service decides what is due)."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.reports import services


@db_periodic_task(crontab(minute="5"))
def reports_deliver_scheduled():
    base_url = settings.KEFU_PUBLIC_BASE_URL.rstrip("/")
    services.report_schedules_run(base_url=base_url)


@db_periodic_task(crontab(hour="2", minute="53"))
def report_facts_check_recent():
    """Nightly: compare the last 40 days' report facts with the records; repair and log drift."""
    from kefu.reports.facts import order_facts_check_recent

    return order_facts_check_recent()
