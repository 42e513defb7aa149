"""Email in: IMAP mailboxes polled by the worker (`imap-tools`).

A new mail becomes a message of the sender's conversation; a reply whose subject or
In-Reply-To/References name an open order of the sender is added to that order as a customer
comment; attachments are kept within type and size limits; HTML is sanitised (nh3) for display;
auto-replies and bounces (Auto-Submitted, Precedence, X-Autoreply, delivery-status reports,
MAILER-DAEMON) are stored and never become conversations or orders. A mail is flagged \\Seen (or
moved to `processed_folder`) only after it is stored and committed.
"""

import logging
from datetime import timedelta
from email.utils import parseaddr

import nh3
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
    MailMessageFlags,
)

from kefu.channels.choices import AccountKind, MessageKind
from kefu.channels.inbound import MAX_ATTACHMENT_BYTES, inbound_store, message_receive
from kefu.channels.models import ChannelAccount, InboundItem, PollState

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
BATCH = 100
MAX_MAIL_BYTES = 25 * 1024 * 1024
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def _connect(account: ChannelAccount):
    host, port = account.config_value("host"), int(account.config_value("port", 993))
    security = account.config_value("security", "ssl")
    timeout = int(account.config_value("timeout", 30))
    mailbox: BaseMailBox
    if security == "none":
        mailbox = MailBoxUnencrypted(host, port, timeout=timeout)
    elif security == "starttls":
        mailbox = MailBoxStartTls(host, port, timeout=timeout)
    else:
        mailbox = MailBox(host, port, timeout=timeout)
    return mailbox.login(account.config_value("username"), account.get_secret("secret") or "",
                         initial_folder=account.config_value("folder", "INBOX"))


def _header(msg: MailMessage, name: str) -> str:
    values = msg.headers.get(name.lower()) or ()
    return " ".join(values).strip()


def is_automatic(msg: MailMessage) -> bool:
    """Auto-replies, out-of-office answers, mailing lists and bounces (RFC 3834, RFC 3464)."""
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(msg, "Precedence").lower() in AUTO_PRECEDENCE:
        return True
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond") or _header(msg, "X-Auto-Response-Suppress"):
        return True
    content_type = msg.obj.get_content_type()
    if content_type == "multipart/report" or (msg.obj.get_param("report-type") or "") == "delivery-status":
        return True
    sender = parseaddr(msg.from_)[1].lower()
    local = sender.split("@")[0]
    return local in {"mailer-daemon", "postmaster"} or _header(msg, "Return-Path") == "<>"


def _provider_id(msg: MailMessage, uidvalidity: str) -> str:
    message_id = _header(msg, "Message-ID")
    return f"mid:{message_id}" if message_id else f"uid:{uidvalidity}:{msg.uid}"


def _text(msg: MailMessage) -> tuple[str, str]:
    html = nh3.clean(msg.html) if msg.html else ""
    text = msg.text or (nh3.clean(msg.html, tags=set()) if msg.html else "")
    return text.strip(), html


def store_mail(account: ChannelAccount, msg: MailMessage, uidvalidity: str) -> InboundItem:
    """Keep the mail and turn it into a message (or, for an automatic mail, nothing more)."""
    with transaction.atomic():
        raw = msg.obj.as_string() if (msg.size or 0) <= 1024 * 1024 else msg.obj.as_string()[:64 * 1024]
        item, created = inbound_store(account=account, provider_id=_provider_id(msg, uidvalidity), kind="email",
                                      raw=raw, payload={"from": msg.from_, "subject": msg.subject, "uid": msg.uid},
                                      received_at=msg.date if msg.date and msg.date.year > 1970 else None)
        if not created and item.processed_at is not None:
            return item
        if is_automatic(msg) or (msg.size or 0) > MAX_MAIL_BYTES:
            InboundItem.objects.filter(pk=item.pk).update(processed_at=timezone.now(),
                                                          error="automatic mail: not taken in"
                                                          if is_automatic(msg) else "too large")
            return item
        text, html = _text(msg)
        attachments = [(a.filename or "attachment", a.content_type, a.payload) for a in msg.attachments
                       if a.payload and len(a.payload) <= MAX_ATTACHMENT_BYTES]
        references = " ".join((_header(msg, "In-Reply-To"), _header(msg, "References")))
        message_receive(item=item, account=account, address=parseaddr(msg.from_)[1].lower() or msg.from_,
                        text=text or msg.subject, subject=msg.subject, html=html, kind=MessageKind.EMAIL,
                        received_at=item.received_at, attachments=attachments, reference_text=references)
    return item


def claim(account: ChannelAccount, now=None) -> bool:
    now = now or timezone.now()
    PollState.objects.get_or_create(account=account)
    return bool(PollState.objects.filter(account=account).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE))


def poll_mailbox(account: ChannelAccount) -> int:
    """Fetch the unseen mails of one mailbox under a lease; returns how many were stored now.
    A mail is flagged seen (or moved) only after its transaction committed, so a crash in between
    fetches it again, and the provider id makes the second store a no-op."""
    if account.kind != AccountKind.IMAP or account.is_paused or not claim(account):
        return 0
    stored, error = 0, ""
    try:
        with _connect(account) as mailbox:
            status = mailbox.folder.status(account.config_value("folder", "INBOX"), ["UIDVALIDITY"])
            uidvalidity = str(status.get("UIDVALIDITY", ""))
            done: list[str] = []
            for msg in mailbox.fetch(AND(seen=False), mark_seen=False, bulk=True, limit=BATCH):
                store_mail(account, msg, uidvalidity)
                if msg.uid:
                    done.append(msg.uid)
                stored += 1
            if done:
                target = account.config_value("processed_folder")
                if target:
                    mailbox.move(done, target)
                else:
                    mailbox.flag(done, MailMessageFlags.SEEN, True)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("imap %s: %s", account.pk, error)
    finally:
        PollState.objects.filter(account=account).update(lease_until=None, last_polled_at=timezone.now(),
                                                         last_error=error)
        if stored:
            from django.db.models import F
            PollState.objects.filter(account=account).update(fetched=F("fetched") + stored)
    return stored
