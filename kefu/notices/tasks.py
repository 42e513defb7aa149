"""Background work for notices: expansion in chunks, resumed by the periodic task."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.notices.services import notice_expand, notices_due


@db_task()
def notice_expand_task(notice_id: int) -> int:
    return notice_expand(notice_id=notice_id)


@db_periodic_task(crontab(minute="*"))
def notice_expand_periodic_task() -> int:
    """Scheduled notices whose time has come, and expansions a stopped worker left unfinished."""
    return sum(notice_expand(notice_id=pk) for pk in notices_due())
