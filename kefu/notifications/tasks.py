"""Background work for notifications: id in, service call out, idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.notifications.services import notifications_for_event, outbox_drain


@db_task(retries=3, retry_delay=10)
def notify_work_order_event_task(event_id: int) -> int:
    return notifications_for_event(event_id=event_id)


@db_task(retries=3, retry_delay=10)
def notify_work_order_events_task(event_ids: list[int]) -> int:
    """Several events at once (the SLA sweeper fires steps in batches)."""
    return sum(notifications_for_event(event_id=event_id) for event_id in event_ids)


@db_task()
def deliver_outbox_task() -> dict:
    return outbox_drain()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_periodic_task() -> dict:
    """Retries: whatever failed earlier is due again by its backoff."""
    return outbox_drain()
