"""Daily PIPL retention: customers soft-deleted longer ago than KEFU_CUSTOMER_RETENTION_DAYS are
erased (personal fields blanked; work-order statistics kept). See docs/customers.md."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.customers.services import customer_purge_expired


@db_periodic_task(crontab(hour="3", minute="17"))
def customer_purge_expired_task() -> int:
    return customer_purge_expired()
