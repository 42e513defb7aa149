"""Progress notices to customers: what the center tells a customer about their work order.

`customer_messages_on_events` is a work-order hook (settings.KEFU_WORK_ORDER_HOOKS, after the
callbacks hook): in the writer's transaction (the acknowledgement just after it commits, once
the order has its number) it queues one outbox row per event that a customer
hears about — intake (acknowledgement with the order number and how to follow it), dispatch
(team, technician, promised time), start of work (the technician is on the way), resolve
(completed; skipped when the callbacks hook already queued the rating invitation, which says
the same and asks for a rating) and reopen — on the customer's channel: SMS to a mainland mobile
number (the order's contact phone, else the customer's primary mobile), else email.

A kind the customer opted out of, or a kind switched off (its template inactive), still leaves a
row, `suppressed`, with the reason: the order page shows what was not sent and why. Each row's
`dedup_key` names its event, so nothing is queued twice for one event.
"""

from __future__ import annotations

import re
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from kefu.notifications.models import Channel, CustomerMessageOptOut, MessageKind, OutboundMessage
from kefu.notifications.templates_text import OPTIONAL_KINDS, render

KIND_FOR_ACTION = {
    "create": MessageKind.ACKNOWLEDGEMENT,
    "dispatch": MessageKind.DISPATCHED,
    "start": MessageKind.ON_THE_WAY,
    "resolve": MessageKind.COMPLETED,
    "reopen": MessageKind.REOPENED,
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mainland_mobile(raw: str | None) -> str:
    """The 11-digit mainland mobile number in `raw` (+86, spaces, dashes dropped), or ""."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if MOBILE.match(digits) else ""


def wechat_openid(customer) -> str:
    """The customer's OpenID on the official account that sends template messages, or ""."""
    from kefu.notifications.accounts import wechat_openids

    return wechat_openids([customer.pk]).get(customer.pk, "")


def customer_address(order) -> tuple[str, str] | None:
    """(channel, address) to reach the order's customer: WeChat when they follow the sending
    official account (free, and where they are), else SMS to a mobile, else email; None."""
    customer = order.customer if order.customer_id else None
    if customer is not None:
        openid = wechat_openid(customer)
        if openid:
            return Channel.WECHAT, openid
    mobile = mainland_mobile(order.contact_phone)
    if not mobile and customer is not None:
        for number in customer.phones.values_list("number", flat=True):
            mobile = mainland_mobile(number)
            if mobile:
                break
    if mobile:
        return Channel.SMS, mobile
    if customer is not None and customer.email:
        return Channel.EMAIL, customer.email
    return None


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _params(kind: str, order) -> dict[str, str]:
    technician = ""
    if order.assignee_id:
        technician = order.assignee.get_full_name() or order.assignee.get_username()
    values = {"number": order.number, "title": order.title, "phone": getattr(settings, "KEFU_SERVICE_PHONE", ""),
              "team": str(order.team) if order.team_id else "", "technician": technician,
              "promised": _local(order.promised_at)}
    from kefu.notifications.templates_text import VARIABLES

    return {name: values.get(name, "") for name in VARIABLES[kind]}


def customer_message_queue(*, order, kind: str, event_id: int | None = None, now=None) -> OutboundMessage | None:
    """Queue (or record as suppressed) one progress notice about `order`; runs in the caller's
    transaction, delivery after commit. None when there is nobody to send it to."""
    target = customer_address(order)
    if target is None:
        return None
    channel, address = target
    now = now or timezone.now()
    customer = order.customer if order.customer_id else None
    language = (customer.language if customer is not None else "") or settings.LANGUAGE_CODE
    params = _params(kind, order)
    text, active = render(kind, language, params)
    state, reason = OutboundMessage.State.PENDING, ""
    with translation.override(language):
        subject = f"{order.number} {MessageKind(kind).label}"[:255]
    # Reasons are kept as their catalog ids and translated when read, in the reader's language.
    if not active:
        state, reason = OutboundMessage.State.SUPPRESSED, gettext_noop("This kind of message is switched off.")
    elif kind in OPTIONAL_KINDS and customer is not None and CustomerMessageOptOut.objects.filter(
            customer=customer, kind=kind).exists():
        state, reason = OutboundMessage.State.SUPPRESSED, gettext_noop("The customer opted out of this kind of message.")
    dedup = f"wo:{order.pk}:{kind}:{event_id}" if event_id else None
    if dedup and OutboundMessage.objects.filter(dedup_key=dedup).exists():
        return None
    message = OutboundMessage.objects.create(
        channel=channel, to_address=address, subject=subject, body=text, kind=kind, work_order=order,
        params=params, state=state, reason=reason, next_attempt_at=now, created_at=now, dedup_key=dedup)
    if state == OutboundMessage.State.PENDING:
        from kefu.notifications.services import _enqueue_delivery

        transaction.on_commit(_enqueue_delivery)
    return message


def customer_messages_on_events(*, events, orders) -> None:
    """The work-order hook (see the module docstring)."""
    if not getattr(settings, "KEFU_CUSTOMER_MESSAGES", True):
        return
    for event in events:
        kind = KIND_FOR_ACTION.get(event.action)
        if kind is None:
            continue
        if kind == MessageKind.ACKNOWLEDGEMENT:
            # Intake takes the order's number last, after its events: the acknowledgement (which
            # must carry the number) is queued once the intake has committed.
            transaction.on_commit(partial(_acknowledge, event.work_order_id, event.pk, event.created_at))
            continue
        order = orders[event.work_order_id]
        if kind == MessageKind.COMPLETED and OutboundMessage.objects.filter(
                work_order=order, kind=MessageKind.RATING_INVITATION, created_at__gte=event.created_at).exists():
            continue
        customer_message_queue(order=order, kind=kind, event_id=event.pk, now=event.created_at)


def _acknowledge(order_id: int, event_id: int, at) -> None:
    from kefu.workorders.models import WorkOrder

    order = WorkOrder.objects.select_related("customer", "team", "assignee").filter(pk=order_id).first()
    if order is not None:
        with transaction.atomic():
            customer_message_queue(order=order, kind=MessageKind.ACKNOWLEDGEMENT, event_id=event_id, now=at)


customer_messages_on_events.actions = frozenset(KIND_FOR_ACTION)  # type: ignore[attr-defined]


def messages_for_order(order):
    """What was sent (or not) to the customer about `order`, oldest first."""
    return OutboundMessage.objects.filter(work_order=order).order_by("created_at", "id")
