"""Writing notices: create, the workflow (submit, approve, send, cancel) through the kernel's
gate, and the worker's chunked expansion into outbox rows (resumable, each customer once)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kefu.core.errors import Conflict, field_error, required_field
from kefu.core.workflow import Change, Workflow, choices_label, run_transition
from kefu.customers.models import Building, Site
from kefu.notices import workflow
from kefu.notices.choices import NoticeAction, NoticeStatus
from kefu.notices.models import Notice, NoticeEvent, NoticeRecipient
from kefu.notices.selectors import can_see, target_customers
from kefu.notifications.models import Channel, MessageKind, OutboundMessage
from kefu.org.selectors import Actor, require_actor

MAX_TITLE, MAX_BODY = 100, 500
MAX_TARGET_IDS = 1000
NOTICE_CHANNELS = (Channel.WECHAT, Channel.SMS, Channel.EMAIL)


def _clean(*, title: Any, body: Any, channels: Any, target: Any, send_at: Any) -> dict:
    """Every field checked before anything is written; InvalidInput names the field."""
    title = (title or "").strip() if isinstance(title, str) else title
    if not title:
        raise required_field("title")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise field_error("title", _("At most %(n)s characters.") % {"n": MAX_TITLE})
    body = (body or "").strip() if isinstance(body, str) else body
    if not body:
        raise required_field("body")
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise field_error("body", _("At most %(n)s characters.") % {"n": MAX_BODY})
    if not isinstance(channels, list) or not channels:
        raise required_field("channels")
    unknown = [c for c in channels if c not in NOTICE_CHANNELS]
    if unknown:
        raise field_error("channels", _("Unknown channel: %(value)s") % {"value": unknown[0]})
    channels = [c for c in NOTICE_CHANNELS if c in channels]
    if not isinstance(target, dict) or not target:
        raise required_field("target")
    unknown_keys = sorted(set(target) - {"sites", "buildings", "units", "tags"})
    if unknown_keys:
        raise field_error("target", _("Unknown target: %(value)s") % {"value": unknown_keys[0]})
    clean_target: dict[str, list] = {}
    for key in ("sites", "buildings", "units"):
        ids = target.get(key) or []
        if not isinstance(ids, list) or len(ids) > MAX_TARGET_IDS or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise field_error("target", _("%(key)s must be a list of ids.") % {"key": key})
        if ids:
            clean_target[key] = sorted(set(ids))
    tags = target.get("tags") or []
    if not isinstance(tags, list) or len(tags) > 50 or not all(isinstance(t, str) and 0 < len(t) <= 30 for t in tags):
        raise field_error("target", _("tags must be a list of tags."))
    if tags:
        clean_target["tags"] = sorted(set(tags))
    if not clean_target:
        raise required_field("target")
    model_for: dict[str, Any] = {"sites": Site.objects, "buildings": Building.objects}
    for key, manager in model_for.items():
        if key in clean_target and manager.filter(pk__in=clean_target[key]).count() != len(clean_target[key]):
            raise field_error("target", _("Unknown %(key)s in the target.") % {"key": key})
    if "units" in clean_target:
        from kefu.customers.models import Asset

        if Asset.objects.filter(pk__in=clean_target["units"]).count() != len(clean_target["units"]):
            raise field_error("target", _("Unknown %(key)s in the target.") % {"key": "units"})
    if send_at in (None, ""):
        send_at = None
    elif isinstance(send_at, str):
        try:
            send_at = datetime.fromisoformat(send_at)
        except ValueError:
            raise field_error("send_at", _("Enter a valid date and time.")) from None
    if send_at is not None and (not isinstance(send_at, datetime) or timezone.is_naive(send_at)):
        raise field_error("send_at", _("Enter a valid date and time with its time zone."))
    return {"title": title, "body": body, "channels": channels, "target": clean_target, "send_at": send_at}


def _event(notice: Notice, *, action: str, actor_user, now, from_status: str = "", to_status: str = "",
           body: str = "", data: dict | None = None) -> NoticeEvent:
    return NoticeEvent.objects.create(notice=notice, action=action, actor=actor_user, created_at=now,
                                      from_status=from_status, to_status=to_status, body=body, data=data or {})


@transaction.atomic
def notice_create(*, actor_user, title: Any, body: Any, channels: Any, target: Any, send_at: Any = None,
                  urgent: bool = False) -> Notice:
    """A draft notice of the actor's department; nothing is written when a field is bad."""
    actor = require_actor(actor_user)
    if actor.role not in workflow.WRITER_ROLES:
        from kefu.core.errors import NotAllowed

        raise NotAllowed(_("Your role may not write notices."), code="role_not_allowed")
    values = _clean(title=title, body=body, channels=channels, target=target, send_at=send_at)
    now = timezone.now()
    notice = Notice.objects.create(**values, urgent=bool(urgent), department_id=actor.department_id,
                                   created_by=actor_user, created_at=now, updated_at=now)
    _event(notice, action=NoticeAction.CREATE, actor_user=actor_user, now=now, to_status=NoticeStatus.DRAFT)
    return notice


def notice_recipient_count(notice: Notice) -> int:
    return target_customers(notice.target).count()


def _apply(notice: Notice, actor: Actor, action: str, data: dict, now) -> Change:
    if action == NoticeAction.SUBMIT:
        count = notice_recipient_count(notice)
        if count == 0:
            raise field_error("target", _("The target reaches no customer."))
        return Change(data={"recipients": count})
    if action == NoticeAction.SEND:
        count = notice_recipient_count(notice)
        limit = int(getattr(settings, "KEFU_NOTICE_APPROVAL_ABOVE", 50))
        if notice.status == NoticeStatus.PENDING_APPROVAL and count > limit:
            raise Conflict(_("A notice to more than %(n)s recipients needs a supervisor's approval first.") % {
                "n": limit}, code="approval_required")
        return Change(data={"recipients": count},
                      after=lambda: transaction.on_commit(lambda: _enqueue_expansion(notice.pk)))
    if action == NoticeAction.CANCEL:
        def stop_unsent() -> None:
            OutboundMessage.objects.filter(notice_recipient__notice=notice, state=OutboundMessage.State.PENDING).update(
                state=OutboundMessage.State.SUPPRESSED, reason=gettext_noop("The notice was cancelled."))
        return Change(after=stop_unsent, body=(data.get("note") or "").strip()[:500])
    return Change()


def _record(notice: Notice, *, action: str, actor_user, now, from_status: str, to_status: str,
            change: Change) -> NoticeEvent:
    return _event(notice, action=action, actor_user=actor_user, now=now, from_status=from_status,
                  to_status=to_status, body=change.body, data=change.data)


FLOW = Workflow(
    model=Notice, table=workflow.TABLE, subject=gettext_lazy("notice"), not_found=gettext_lazy("Notice not found."),
    action_label=choices_label(NoticeAction), status_label=choices_label(NoticeStatus),
    queryset=lambda: Notice.objects.all(), can_see=can_see, apply=_apply, record_event=_record)


def notice_transition(*, notice: Notice | int, action: str, actor_user, expected_version: int | None = None,
                      **data) -> Notice:
    """Submit, approve, send or cancel a notice through the kernel's gate (row lock, 404/403/409/400,
    compare-and-swap on `version`), one event each. Sending above KEFU_NOTICE_APPROVAL_ABOVE
    recipients needs the approval first (409 `approval_required`)."""
    actor = require_actor(actor_user)
    return run_transition(FLOW, obj=notice, action=action, actor=actor, actor_user=actor_user,
                          expected_version=expected_version, data=data)


def _enqueue_expansion(notice_id: int) -> None:
    from kefu.notices.tasks import notice_expand_task

    notice_expand_task(notice_id)


# --- the worker's part ------------------------------------------------------------------------------

def _addresses(customers: list, channels: list[str]) -> dict[int, tuple[str, str]]:
    """customer id → (channel, address): the first of the notice's channels that reaches them."""
    from kefu.notifications.customer_messages import mainland_mobile

    openids: dict[int, str] = {}
    if Channel.WECHAT in channels:
        from kefu.notifications.accounts import wechat_openids

        openids = wechat_openids([c.pk for c in customers])
    result: dict[int, tuple[str, str]] = {}
    for customer in customers:
        for channel in channels:
            address = ""
            if channel == Channel.WECHAT:
                address = openids.get(customer.pk, "")
            elif channel == Channel.SMS:
                address = next(filter(None, (mainland_mobile(p.number) for p in customer.phones.all())), "")
            elif channel == Channel.EMAIL:
                address = customer.email
            if address:
                result[customer.pk] = (channel, address)
                break
    return result


def notice_expand_chunk(*, notice_id: int, now=None, size: int | None = None) -> int:
    """Queue the next chunk of a sending notice's recipients; returns how many customers the
    chunk covered (0: none left, the notice is marked sent). One transaction per chunk: outbox
    rows, recipient rows and the cursor move together, so a crash loses nothing and repeats
    nothing (the cursor is compared-and-swapped; `dedup_key` is unique)."""
    from kefu.notifications.templates_text import render

    now = now or timezone.now()
    size = size or int(getattr(settings, "KEFU_NOTICE_CHUNK", 1000))
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.status != NoticeStatus.SENDING or (notice.send_at and notice.send_at > now):
            return 0
        customers = list(target_customers(notice.target).filter(pk__gt=notice.cursor).order_by("pk")
                         .prefetch_related("phones")[:size])
        if not customers:
            Notice.objects.filter(pk=notice.pk, version=notice.version).update(
                status=NoticeStatus.SENT, version=F("version") + 1, updated_at=now)
            _event(notice, action=NoticeAction.FINISH, actor_user=None, now=now, from_status=NoticeStatus.SENDING,
                   to_status=NoticeStatus.SENT, data={"recipients": notice.recipients})
            return 0
        addresses = _addresses(customers, notice.channels)
        texts: dict[str, str] = {}
        params = {"title": notice.title, "body": notice.body}
        messages = []
        for customer in customers:
            if customer.pk not in addresses:
                continue
            channel, address = addresses[customer.pk]
            language = customer.language or settings.LANGUAGE_CODE
            if language not in texts:
                texts[language] = render(MessageKind.NOTICE, language, params)[0]
            messages.append(OutboundMessage(
                channel=channel, to_address=address[:254], subject=notice.title[:255], body=texts[language],
                kind=MessageKind.NOTICE, params=params, urgent=notice.urgent, next_attempt_at=now, created_at=now,
                dedup_key=f"notice:{notice.pk}:{customer.pk}"))
        OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
        ids = dict(OutboundMessage.objects.filter(dedup_key__in=[m.dedup_key for m in messages])
                   .values_list("dedup_key", "pk"))
        NoticeRecipient.objects.bulk_create(
            [NoticeRecipient(notice=notice, customer_id=int(str(key).rsplit(":", 1)[1]), message_id=pk)
             for key, pk in ids.items()], ignore_conflicts=True)
        Notice.objects.filter(pk=notice.pk, cursor=notice.cursor).update(
            cursor=customers[-1].pk, recipients=F("recipients") + len(ids), updated_at=now)
    return len(customers)


def notice_expand(*, notice_id: int, max_seconds: float = 50) -> int:
    """Expand chunk after chunk (handing each to the outbox) until done or out of time; the
    periodic task picks up what is left."""
    from kefu.notifications.services import _enqueue_delivery

    started, total = time.monotonic(), 0
    while time.monotonic() - started < max_seconds:
        covered = notice_expand_chunk(notice_id=notice_id)
        if not covered:
            break
        total += covered
        _enqueue_delivery()
    return total


def notices_due() -> list[int]:
    """Sending notices whose time has come (scheduled ones, and any a crashed worker left)."""
    now = timezone.now()
    return list(Notice.objects.filter(status=NoticeStatus.SENDING).exclude(send_at__gt=now)
                .values_list("pk", flat=True))


