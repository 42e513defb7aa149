"""The portal's periodic job: confirm resolved orders the customer left unanswered."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.portal.services import auto_confirm_due


@db_periodic_task(crontab(minute="17"))
def portal_auto_confirm_periodic_task() -> int:
    """Hourly: orders resolved KEFU_PORTAL_AUTO_CONFIRM_DAYS business days ago, unconfirmed."""
    return auto_confirm_due()
