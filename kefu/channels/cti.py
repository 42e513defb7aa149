"""Phone / 400 / hotline calls from a CTI platform: the signed webhook's checks and the merge of
call events into Call records (any order, any number of times).

Contract (docs/channels.md): `POST /channels/cti/<account>/events/` with
`X-Kefu-Timestamp: <unix seconds>` and `X-Kefu-Signature: sha256=<hex HMAC-SHA256(secret,
"<timestamp>." + raw body)>`; events ringing / answered / ended / missed.
"""

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.callbacks.choices import CallbackStatus, Source
from kefu.callbacks.models import Callback
from kefu.callbacks.services import callback_create_follow_up
from kefu.channels.choices import CallEvent, CallStatus, MessageKind
from kefu.channels.inbound import customer_for_phone, inbound_store, message_receive
from kefu.channels.models import Call, ChannelAccount, Conversation
from kefu.core.errors import field_error, required_field

MAX_BODY_BYTES = 16 * 1024
MAX_SKEW_SECONDS = 300
DEFAULT_ANSWER_TARGET_SECONDS = 15
CALLBACK_DUE = timedelta(hours=2)


class BadSignature(Exception):
    """Missing, malformed or wrong signature, or a timestamp outside the 5-minute window (401)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value a CTI platform sends (also used by tests and the benchmark)."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(account: ChannelAccount, *, timestamp: str | None, signature: str | None, body: bytes,
           now: float | None = None) -> None:
    secret = account.get_secret("secret")
    if not secret or not timestamp or not signature:
        raise BadSignature("missing signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature("bad timestamp") from None
    if abs((now if now is not None else time.time()) - sent) > MAX_SKEW_SECONDS:
        raise BadSignature("stale timestamp")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise BadSignature("wrong signature")


def parse_event(body: bytes) -> dict:
    """The event, checked: 400 naming the field for anything missing or malformed."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise field_error("body", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise field_error("body", _("The body must be a JSON object."))
    event = data.get("event")
    if event not in CallEvent.values:
        raise field_error("event", _("event must be one of ringing, answered, ended, missed."))
    out: dict = {"event": event}
    for name, limit, required in (("call_id", 100, True), ("caller", 40, True), ("line", 40, False),
                                  ("agent", 100, False), ("recording_url", 500, False)):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit:
            raise field_error(name, _("%(field)s must be text of at most %(n)s characters.") % {
                "field": name, "n": limit})
        if required and not value.strip():
            raise required_field(name)
        out[name] = value.strip()
    if out["recording_url"] and not out["recording_url"].startswith(("https://", "http://")):
        raise field_error("recording_url", _("recording_url must be an http(s) address."))
    at = parse_datetime(data.get("at") or "") if isinstance(data.get("at"), str) else None
    if at is None:
        raise field_error("at", _("at must be an ISO 8601 time."))
    out["at"] = at if timezone.is_aware(at) else timezone.make_aware(at)
    return out


def agent_user_for(account: ChannelAccount, agent: str):
    """The staff user an event names: a username, or an extension listed in the account's
    `config.extensions` ({"8001": "username"})."""
    if not agent:
        return None
    username = (account.config_value("extensions") or {}).get(agent, agent)
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _status(call: Call) -> str:
    if call.missed_at or (call.ended_at and not call.answered_at):
        return CallStatus.MISSED
    if call.ended_at:
        return CallStatus.ENDED
    if call.answered_at:
        return CallStatus.ANSWERED
    return CallStatus.RINGING


def _ring_seconds(call: Call) -> int | None:
    start = call.ringing_at
    stop = call.answered_at or call.missed_at or call.ended_at
    if start is None or stop is None:
        return None
    return max(0, int((stop - start).total_seconds()))


def receive_event(*, account: ChannelAccount, body: bytes, event: dict) -> tuple[Call | None, bool]:
    """Store the event raw (idempotent on call id + event) and merge it into its call.
    (call, False) for a redelivery, which changes nothing."""
    with transaction.atomic():
        item, created = inbound_store(account=account, provider_id=f"{event['call_id']}:{event['event']}",
                                      kind="call_event", raw=body.decode("utf-8"),
                                      payload={**event, "at": event["at"].isoformat()})
        if not created:
            return Call.objects.filter(account=account, call_id=event["call_id"]).first(), False
        call = call_event_apply(account=account, event=event)
        item.processed_at = timezone.now()
        item.save(update_fields=["processed_at"])
    return call, True


def _lock_call(account: ChannelAccount, event: dict, now: datetime) -> Call:
    call = Call.objects.select_for_update().filter(account=account, call_id=event["call_id"]).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(account=account, call_id=event["call_id"], caller=event["caller"],
                                       line=event["line"], created_at=now, updated_at=now)
    except IntegrityError:
        return Call.objects.select_for_update().get(account=account, call_id=event["call_id"])


def call_event_apply(*, account: ChannelAccount, event: dict) -> Call:
    """Merge one event into its call: each instant is kept once (the first report wins), the
    status follows from the instants, a missed or abandoned call gets a callback task (cancelled
    again, untouched, if an `answered` event comes in late)."""
    now = timezone.now()
    call = _lock_call(account, event, now)
    field = {CallEvent.RINGING: "ringing_at", CallEvent.ANSWERED: "answered_at", CallEvent.ENDED: "ended_at",
             CallEvent.MISSED: "missed_at"}[event["event"]]
    if getattr(call, field) is None:
        setattr(call, field, event["at"])
    call.caller = call.caller or event["caller"]
    call.line = call.line or event["line"]
    if event["agent"] and (not call.agent or event["event"] == CallEvent.ANSWERED):
        call.agent = event["agent"]
        call.agent_user = agent_user_for(account, event["agent"])
    if event["recording_url"]:
        call.recording_url = event["recording_url"]
    if call.customer_id is None:
        call.customer = customer_for_phone(call.caller)
    call.status = _status(call)
    call.ring_seconds = _ring_seconds(call)
    call.updated_at = now
    if call.conversation_id is None:
        call.conversation = Conversation.objects.create(
            account=account, address=call.caller, customer=call.customer,
            subject=_("Call from %(caller)s") % {"caller": call.caller}, created_at=now, updated_at=now,
            last_message_at=call.ringing_at or event["at"])
        message_receive(item=None, account=account, address=call.caller, kind=MessageKind.CALL,
                        text=_("Call from %(caller)s to %(line)s") % {"caller": call.caller, "line": call.line},
                        received_at=call.ringing_at or event["at"], conversation=call.conversation)
    if call.status == CallStatus.MISSED and call.callback_id is None:
        call.callback = _missed_call_callback(account, call, now)
    elif call.status in (CallStatus.ANSWERED, CallStatus.ENDED) and call.callback_id:
        # A late `answered`: the call was not missed after all; an untouched callback goes.
        Callback.objects.filter(pk=call.callback_id, status=CallbackStatus.OPEN, attempts_count=0).update(
            status=CallbackStatus.CANCELLED, completed_at=now)
    call.save()
    return call


def _missed_call_callback(account: ChannelAccount, call: Call, now: datetime) -> Callback:
    reference = f"call:{account.pk}:{call.call_id}"[:100]
    reason = _("Missed call from %(caller)s on %(line)s") % {"caller": call.caller, "line": call.line or account.name}
    if call.customer is not None:
        return callback_create_follow_up(customer=call.customer, reason=reason, source=Source.MANUAL,
                                         reference=reference, team=account.department, due_at=now + CALLBACK_DUE)
    # The callbacks service asks for a customer; an unknown caller still needs calling back.
    existing = Callback.objects.filter(source=Source.MANUAL, reference=reference).first()
    return existing or Callback.objects.create(source=Source.MANUAL, reference=reference, reason=reason,
                                               team=account.department, due_at=now + CALLBACK_DUE, created_at=now)


def answer_target(account: ChannelAccount) -> int:
    value = account.config_value("answer_target_seconds", DEFAULT_ANSWER_TARGET_SECONDS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_ANSWER_TARGET_SECONDS
