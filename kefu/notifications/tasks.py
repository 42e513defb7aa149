"""Background work for notifications: id in, service call out, idempotent."""

from huey.contrib.djhuey import db_task

from kefu.notifications.services import notifications_for_event


@db_task(retries=3, retry_delay=10)
def notify_work_order_event_task(event_id: int) -> int:
    return notifications_for_event(event_id=event_id)
