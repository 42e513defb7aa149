"""Deciding who hears about a work-order event, the outbox that delivers it beyond the app, and
marking notices read."""

import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kefu.notifications.channels import DeliveryError, adapter_for
from kefu.notifications.models import Channel, Notification, NotificationPreference, OutboundMessage
from kefu.notifications.selectors import recipients_for_event
from kefu.sla.choices import ClockKind
from kefu.workorders.choices import Action
from kefu.workorders.models import WorkOrderEvent


@transaction.atomic
def notifications_for_event(*, event_id: int) -> int:
    """Create the notices for one event; idempotent (safe to re-run after a crash)."""
    event = (WorkOrderEvent.objects.select_related("work_order__team", "work_order__intake_department")
             .filter(pk=event_id).first())
    if event is None:
        return 0
    recipients = recipients_for_event(event)
    active = set(get_user_model().objects.filter(pk__in=recipients, is_active=True).values_list("pk", flat=True))
    existing = set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    rows = [Notification(recipient_id=uid, event=event, work_order=event.work_order, created_at=event.created_at)
            for uid in sorted(active - existing)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Notification.objects.filter(event=event, recipient_id__in=[r.recipient_id for r in rows])
                   .select_related("recipient__staff", "recipient__notification_preference"))
    if created and _queue_messages(event, created):
        transaction.on_commit(_enqueue_delivery)
    return len(rows)


def _enqueue_delivery() -> None:
    from kefu.notifications.tasks import deliver_outbox_task

    deliver_outbox_task()


def describe_event(event) -> str:
    """One line about an event, in the active language (for email and SMS)."""
    order = event.work_order
    if event.action == "escalate":
        kind = event.data.get("clock", "")
        label = ClockKind(kind).label if kind in ClockKind.values else kind
        if event.data.get("kind") == "warning":
            return _("%(number)s: the %(clock)s deadline is near (due %(due)s).") % {
                "number": order.number, "clock": label, "due": _local(event.data.get("due_at"))}
        return _("%(number)s: the %(clock)s deadline was missed (due %(due)s); escalated to you.") % {
            "number": order.number, "clock": label, "due": _local(event.data.get("due_at"))}
    action = Action(event.action).label if event.action in Action.values else event.action
    return _("%(number)s %(title)s: %(action)s") % {"number": order.number, "title": order.title, "action": action}


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    return timezone.localtime(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def _queue_messages(event, notifications) -> int:
    """Outbox rows for the recipients whose preferences ask for this event beyond the app."""
    now = timezone.now()
    messages = []
    for notification in notifications:
        user = notification.recipient
        try:
            pref = user.notification_preference
        except NotificationPreference.DoesNotExist:
            pref = NotificationPreference(user=user)
        if event.action not in (pref.email_actions or []):
            continue
        staff = getattr(user, "staff", None)
        with translation.override(staff.language if staff else settings.LANGUAGE_CODE):
            subject = f"[Kefu] {describe_event(event)}"[:255]
            body = describe_event(event) + "\n\n" + (event.body or "")
        targets = []
        if pref.email_enabled and user.email:
            targets.append((Channel.EMAIL, user.email))
        phone = staff.phone if staff else ""
        if pref.sms_enabled and phone:
            targets.append((Channel.SMS, phone))
        if pref.wechat_enabled and phone:
            targets.append((Channel.WECHAT, phone))
        messages += [OutboundMessage(notification=notification, channel=channel, to_address=to, subject=subject,
                                     body=body, next_attempt_at=now, created_at=now) for channel, to in targets]
    OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
    return len(messages)


def outbox_enqueue(*, channel: str, to_address: str, subject: str, body: str,
                   redacted_body: str | None = None, kind: str = "staff", work_order=None,
                   params: dict | None = None) -> OutboundMessage:
    """Queue one message to someone outside the app (a customer's rating link, a survey reminder).

    Written in the caller's transaction and sent by the worker after commit, with the same retries
    as notification messages; SMS and WeChat go to the log-only adapter until a real gateway exists.
    A message carrying a credential (a link that lets its holder act as the customer) passes
    `redacted_body`, the text to keep once the row is final (`without_link`); the link itself is
    kept only while the message may still be sent. `kind`, `work_order` and `params` (the
    template values for providers with a template model) file it with the order's messages.
    """
    from kefu.core.errors import InvalidInput

    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    to_address = (to_address or "").strip()
    if not to_address:
        raise InvalidInput(_("This field is required."), fields={"to_address": [_("This field is required.")]})
    now = timezone.now()
    message = OutboundMessage.objects.create(channel=channel, to_address=to_address[:254], subject=subject[:255],
                                             body=body, redacted_body=redacted_body, next_attempt_at=now,
                                             created_at=now, kind=kind, work_order=work_order,
                                             params=params or {})
    transaction.on_commit(_enqueue_delivery)
    return message


def without_link(text: str, url: str) -> str:
    """`text` with every occurrence of `url` replaced by a placeholder in the active language: what
    the outbox keeps of a message carrying a link once it is sent. Call it in the language the
    text was rendered in."""
    if not url:
        raise ValueError("without_link needs the link to remove")
    return text.replace(url, _("[link removed]"))


MAX_ATTEMPTS = 6
# How long a claimed row is a worker's before another may take it (a stopped worker's rows wait this long).
LEASE = timedelta(seconds=int(getattr(settings, "KEFU_OUTBOX_LEASE_SECONDS", 300)))


def quiet_until(local: datetime) -> datetime | None:
    """When the SMS quiet hours (settings.KEFU_SMS_QUIET_HOURS, default 22:00–08:00 in the
    center's time zone) that `local` falls in end; None outside them or when switched off."""
    window = getattr(settings, "KEFU_SMS_QUIET_HOURS", (22, 8))
    if not window:
        return None
    start, end = window
    hour = local.hour
    inside = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=local.tzinfo).replace(hour=end)


def _held_by_quiet_hours(channel: str, kind: str, urgent: bool, now: datetime) -> datetime | None:
    if channel != Channel.SMS or urgent or kind == "staff":
        return None
    return quiet_until(timezone.localtime(now))


def _claim(ids: list[int], now: datetime) -> dict[int, int]:
    """Take the due rows among `ids` for this worker in one statement: `UPDATE … SET attempts =
    attempts + 1, next_attempt_at = now + lease WHERE id IN (…) AND state = 'pending' AND
    next_attempt_at <= now RETURNING id, attempts`. PostgreSQL re-checks the WHERE after waiting
    on a row another worker is claiming, so a row is claimed by one worker only. → {id: attempts}"""
    from django.db import connection

    if not ids:
        return {}
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(ids))
    sql = (f"UPDATE {table} SET attempts = attempts + 1, next_attempt_at = %s, last_error = '' "
           f"WHERE id IN ({marks}) AND state = 'pending' AND next_attempt_at <= %s RETURNING id, attempts")
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now + LEASE), *ids, adapt(now)])
        return {int(pk): int(attempts) for pk, attempts in cursor.fetchall()}


def outbox_deliver(*, now=None, limit: int = 200) -> dict:
    """Send due outbox rows; returns counts by outcome. Safe with several workers.

    The due rows are claimed together by pushing `next_attempt_at` a lease ahead (one UPDATE …
    RETURNING, `_claim`); a worker that dies mid-send leaves its rows to be retried when the lease
    runs out. The outcomes are written together too (one bulk UPDATE for everything sent or
    logged; failures row by row), and a row turning final gets its `redacted_body` as its body
    in that same statement (no link outlives its sending). Three statements for a batch.

    A provider error that no retry can help (invalid number, template not approved) fails the
    row at once with the provider's reason; others are retried with backoff. SMS to customers is
    held during quiet hours (unless urgent) without spending an attempt.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    State = OutboundMessage.State
    adapters: dict[str, Any] = {}
    # The text is read with the due list: a pending row's text never changes, and the claim
    # (still pending, still due) proves nobody else has taken the row since.
    due = list(OutboundMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id")
               .values_list("pk", "channel", "to_address", "subject", "body", "redacted_body",
                            "kind", "params", "urgent", "last_error", "next_attempt_at")[:limit])
    ready = []
    for row in due:
        pk, channel, kind, urgent = row[0], row[1], row[6], row[8]
        if channel not in adapters:
            adapters[channel] = adapter_for(channel)
        # A log-only adapter reaches no phone, so only a real SMS gateway waits for the morning.
        held = _held_by_quiet_hours(channel, kind, urgent, now) if adapters[channel].delivers else None
        if held is not None:
            OutboundMessage.objects.filter(pk=pk, state=State.PENDING).update(
                next_attempt_at=held, reason=gettext_noop("Held for quiet hours"))
            counts["retry"] += 1
            continue
        ready.append(row)
    claimed = _claim([row[0] for row in ready], now)
    done: list[OutboundMessage] = []
    started = time.monotonic()
    for pk, channel, to_address, subject, body, redacted_body, kind, params, _urgent, last_error, due_at in ready:
        if pk not in claimed:
            continue
        if time.monotonic() - started > LEASE.total_seconds() / 2:
            # Never send a row whose lease may have run out (another worker may hold it by now):
            # what is left goes back, as it was, for the next batch.
            _record_done(done)
            _release(claimed, since=pk, now=now, ready=ready)
            break
        attempts = claimed[pk]
        adapter = adapters[channel]
        # A row turning final keeps no credential: neither in its text nor in its template values.
        final_body, final_params = (body, params) if redacted_body is None else (redacted_body, {})
        outcome = OutboundMessage(pk=pk, body=final_body, params=final_params, sent_at=now, reason="",
                                  provider=getattr(adapter, "provider", ""), provider_id="", parts=0)
        # An earlier attempt with no recorded outcome: its worker stopped between the provider and
        # the UPDATE. Where the provider can tell (Alibaba by our OutId), a message it already
        # took is recorded as sent, not sent again.
        if attempts > 1 and not last_error and hasattr(adapter, "find_sent"):
            try:
                found = adapter.find_sent(to=to_address, out_id=str(pk), since=due_at - LEASE)
            except DeliveryError:
                found = False
            if found:
                outcome.state = State.SENT
                done.append(outcome)
                counts["sent"] += 1
                continue
        try:
            result = adapter.send(to=to_address, subject=subject, body=body, kind=kind, params=params,
                                  out_id=str(pk))
        except DeliveryError as exc:
            error = str(exc)[:2000]
            this = OutboundMessage.objects.filter(pk=pk)
            if attempts >= MAX_ATTEMPTS or getattr(exc, "retry", True) is False:
                this.update(state=State.FAILED, last_error=error, reason=error[:255], body=final_body,
                           params=final_params, provider=outcome.provider)
                counts["failed"] += 1
            else:
                # 1, 2, 4, 8, 16 minutes: a mail server that is down for a while still gets it.
                this.update(next_attempt_at=now + timedelta(minutes=2 ** (attempts - 1)), last_error=error)
                counts["retry"] += 1
            continue
        outcome.state = State.SENT if adapter.delivers else State.LOGGED
        if result is not None:
            outcome.provider_id, outcome.parts = result.provider_id[:64], result.parts
        done.append(outcome)
        counts["sent" if adapter.delivers else "logged"] += 1
        if len(done) >= FLUSH_EVERY:
            _record_done(done)
    _record_done(done)
    return counts


FLUSH_EVERY = 50  # outcomes written at least this often: a killed worker leaves few unrecorded


def _release(claimed: dict[int, int], *, since: int, now, ready) -> None:
    """Give back the claimed rows from `since` on (not tried yet): due again now, the attempt
    not counted."""
    order = [row[0] for row in ready if row[0] in claimed]
    rest = order[order.index(since):]
    for pk in rest:
        OutboundMessage.objects.filter(pk=pk, attempts=claimed[pk], state=OutboundMessage.State.PENDING).update(
            attempts=claimed[pk] - 1, next_attempt_at=now)


def _record_done(done: list[OutboundMessage]) -> None:
    if done:
        OutboundMessage.objects.bulk_update(done, ["state", "sent_at", "reason", "provider", "provider_id", "parts",
                                                   "body", "params"])
        done.clear()


def outbox_drain(*, max_seconds: float = 50, batch: int = 200) -> dict:
    """Deliver batch after batch while full batches come back and time is left (a notice to
    thousands is not sent 200 a minute); the periodic task takes over after."""
    started = time.monotonic()
    total = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    while True:
        counts = outbox_deliver(limit=batch)
        for key, value in counts.items():
            total[key] += value
        if sum(counts.values()) < batch or time.monotonic() - started > max_seconds:
            return total


def outbox_apply_receipts(*, provider: str, receipts, now=None) -> int:
    """Record delivery reports: a `sent` row of `provider` with the report's id becomes
    `delivered`, or `failed` with the provider's code and reason. Reports for unknown ids, or
    for rows already final, change nothing (providers repeat their pushes). Returns rows changed."""
    now = now or timezone.now()
    State = OutboundMessage.State
    changed = 0
    for receipt in receipts:
        rows = OutboundMessage.objects.filter(provider=provider, provider_id=receipt.provider_id, state=State.SENT)
        if receipt.delivered:
            changed += rows.update(state=State.DELIVERED, delivered_at=receipt.at or now)
        else:
            reason = " ".join(filter(None, [receipt.code, receipt.reason if receipt.reason != receipt.code else ""]))
            changed += rows.update(state=State.FAILED, reason=reason[:255], last_error=reason[:2000])
    return changed


@transaction.atomic
def notification_preference_update(*, user, email_enabled: bool, email_actions: list[str], sms_enabled: bool,
                                   wechat_enabled: bool) -> NotificationPreference:
    """Store how a user wants to be told beyond the app: email on/off, SMS and WeChat (log-only
    adapters for now) on/off, and which events go out at all (`email_actions`, for every channel).

    Everything is checked before anything is written; a bad value raises InvalidInput naming the
    field. Events are kept once each, in the order of `OutboundEvent`, so equal choices compare equal.
    """
    from kefu.core.errors import InvalidInput
    from kefu.notifications.choices import OutboundEvent

    errors: dict[str, list[str]] = {}
    for name, value in (("email_enabled", email_enabled), ("sms_enabled", sms_enabled),
                        ("wechat_enabled", wechat_enabled)):
        if not isinstance(value, bool):
            errors[name] = [_("Must be true or false.")]
    if not isinstance(email_actions, list | tuple) or not all(isinstance(a, str) for a in email_actions):
        errors["email_actions"] = [_("Must be a list of events.")]
    else:
        unknown = [a for a in email_actions if a not in OutboundEvent.values]
        if unknown:
            errors["email_actions"] = [_("Unknown event: %(value)s") % {"value": unknown[0]}]
    if errors:
        name, messages = next(iter(errors.items()))
        raise InvalidInput(_("Invalid input: %(field)s: %(error)s") % {"field": name, "error": messages[0]},
                           fields=errors)
    chosen = [value for value in OutboundEvent.values if value in set(email_actions)]
    pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults={
        "email_enabled": email_enabled, "email_actions": chosen, "sms_enabled": sms_enabled,
        "wechat_enabled": wechat_enabled})
    return pref


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one notice (or, with no id, all of the user's notices) read."""
    qs = Notification.objects.filter(recipient=user, read_at=None)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())

