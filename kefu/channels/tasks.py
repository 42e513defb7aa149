"""Background work of the channels app (Huey): turning stored items into messages, and polling
mailboxes. Every task claims its work with a lease (a conditional UPDATE), so a retry or a
second worker never does the same item twice, and an item left by a killed worker is taken
again once its lease runs out."""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.channels.models import InboundItem

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def claim_item(item_id: int, now=None) -> InboundItem | None:
    now = now or timezone.now()
    claimed = (InboundItem.objects.filter(pk=item_id, processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
               .update(lease_until=now + LEASE))
    return InboundItem.objects.select_related("account").get(pk=item_id) if claimed else None


def process_item(item_id: int) -> bool:
    """Process one stored item if it is still to do; True when it was processed now."""
    from kefu.channels import wechat

    item = claim_item(item_id)
    if item is None:
        return False
    try:
        if item.kind == "wechat":
            wechat.process(item)
        InboundItem.objects.filter(pk=item.pk).update(processed_at=timezone.now(), lease_until=None, error="")
        return True
    except Exception as error:
        log.exception("channels: item %s failed", item.pk)
        InboundItem.objects.filter(pk=item.pk).update(attempts=item.attempts + 1, lease_until=None,
                                                      error=f"{type(error).__name__}: {error}"[:500])
        return False


@db_task()
def process_inbound_item_task(item_id: int) -> bool:
    return process_item(item_id)


@db_periodic_task(crontab(minute="*"))
def channels_retry_inbound_periodic_task() -> int:
    """Every minute: items stored but not processed (the worker was down, or it failed) are tried
    again, up to MAX_ATTEMPTS times."""
    now = timezone.now()
    ids = list(InboundItem.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                                          received_at__lt=now - timedelta(seconds=30))
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
               .exclude(kind="call_event").values_list("pk", flat=True)[:200])
    return sum(1 for pk in ids if process_item(pk))


@db_periodic_task(crontab(minute="*"))
def channels_poll_mailboxes_periodic_task() -> int:
    """Every minute: each active mailbox is polled (one worker at a time per mailbox: lease)."""
    from kefu.channels.choices import AccountKind
    from kefu.channels.mail import poll_mailbox
    from kefu.channels.models import ChannelAccount

    return sum(poll_mailbox(account) for account in ChannelAccount.objects.filter(kind=AccountKind.IMAP,
                                                                                 is_paused=False))
