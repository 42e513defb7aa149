"""The inbound store: every item that arrives is kept raw first (idempotent on the provider's id),
then turned into a message of a conversation matched to a customer.

`inbound_store` is what the webhooks call inside their request (fast, one INSERT); the rest runs
in the same transaction for cheap items (call events) or in the worker for costly ones (mails)."""

import re
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.channels.choices import AccountKind, ConversationAction, ConversationStatus, Direction, MessageKind
from kefu.channels.models import (
    ChannelAccount,
    ChannelIdentity,
    Conversation,
    ConversationEvent,
    InboundItem,
    Message,
    MessageAttachment,
)
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.phones import normalize_phone

MAX_RAW_CHARS = 256 * 1024
MAX_TEXT_CHARS = 20_000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = ("image/", "audio/", "video/", "application/pdf", "text/plain",
                            "application/vnd.openxmlformats-officedocument", "application/msword",
                            "application/vnd.ms-excel")
SYSTEM_USERNAME = "kefu-channels"


def system_user():
    """The user automatic channel actions are recorded as (an appended reply, a missed-call
    callback): a superuser without a password or staff profile (it acts as administrator and
    can never log in)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                user = user_model(username=SYSTEM_USERNAME, is_superuser=True, is_staff=False)
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            user = user_model.objects.get(username=SYSTEM_USERNAME)
    return user


def inbound_store(*, account: ChannelAccount, provider_id: str, kind: str, raw: str = "",
                  payload: dict | None = None, received_at: datetime | None = None) -> tuple[InboundItem, bool]:
    """Keep the item raw; (item, True) the first time, (stored item, False) on a redelivery."""
    provider_id = provider_id[:200]
    existing = InboundItem.objects.filter(account=account, provider_id=provider_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = InboundItem.objects.create(
                account=account, provider_id=provider_id, kind=kind[:20], raw=(raw or "")[:MAX_RAW_CHARS],
                payload=payload or {}, received_at=received_at or timezone.now())
    except IntegrityError:  # the same item delivered twice at once: the other request stored it
        return InboundItem.objects.get(account=account, provider_id=provider_id), False
    return item, True


# --- matching ------------------------------------------------------------------------------------

def _live_customers():
    return Customer.objects.filter(deleted_at__isnull=True)


def customer_for_phone(raw: str) -> Customer | None:
    number = normalize_phone(raw)
    if not number:
        return None
    ids = set(CustomerPhone.objects.filter(number=number, customer__deleted_at__isnull=True)
              .values_list("customer_id", flat=True)[:2])
    return _live_customers().filter(pk=ids.pop()).first() if len(ids) == 1 else None


def customer_for_email(address: str) -> Customer | None:
    address = (address or "").strip()
    if not address:
        return None
    found = list(_live_customers().filter(email__iexact=address)[:2])
    return found[0] if len(found) == 1 else None


def customer_for_address(account: ChannelAccount, address: str) -> Customer | None:
    """Bound identity first; then by the address itself (a phone number or an email address)."""
    identity = (ChannelIdentity.objects.filter(account=account, address=address, customer__deleted_at__isnull=True)
                .select_related("customer").first())
    if identity is not None:
        return identity.customer
    if account.kind == AccountKind.IMAP:
        return customer_for_email(address)
    if account.kind == AccountKind.CTI:
        return customer_for_phone(address)
    return None


def order_numbers_in(text: str) -> list[str]:
    prefix = re.escape(settings.KEFU_WORK_ORDER_PREFIX)
    return re.findall(rf"(?<![A-Za-z0-9]){prefix}\d{{8}}-\d{{4,}}(?!\d)", text or "")


# --- messages ----------------------------------------------------------------------------------

def _record(conversation: Conversation, action: str, *, now, actor=None, from_status="", to_status="",
            body: str = "", data: dict | None = None) -> ConversationEvent:
    return ConversationEvent.objects.create(conversation=conversation, action=action, actor=actor, created_at=now,
                                            from_status=from_status, to_status=to_status, body=body[:2000],
                                            data=data or {})


def _open_conversation(account: ChannelAccount, address: str, *, subject: str, now) -> Conversation:
    conversation = (Conversation.objects.select_for_update()
                    .filter(account=account, address=address, status=ConversationStatus.OPEN)
                    .order_by("-id").first())
    if conversation is None:
        conversation = Conversation.objects.create(
            account=account, address=address, customer=customer_for_address(account, address),
            subject=subject[:200], created_at=now, updated_at=now, last_message_at=now)
    return conversation


@transaction.atomic
def message_receive(*, item: InboundItem | None, account: ChannelAccount, address: str, text: str,
                    kind: str = MessageKind.TEXT, subject: str = "", html: str = "",
                    received_at: datetime | None = None,
                    attachments: list[tuple[str, str, bytes]] | None = None,
                    conversation: Conversation | None = None, reference_text: str = "") -> Message:
    """Turn a stored item into a message of the address's open conversation (a new one if none).

    If the text names an order number of the same customer, the message is also added to that
    order as a comment (by the system user, through the work-order gate). Marks the item
    processed. Attachments: (name, content type, bytes), kept within type and size limits."""
    from kefu.channels.conversations import append_to_order_if_named

    now = timezone.now()
    received_at = received_at or now
    if item is not None and hasattr(item, "message"):
        return item.message  # already processed (a retry)
    conversation = conversation or _open_conversation(account, address, subject=subject or text[:60], now=now)
    message = Message.objects.create(conversation=conversation, direction=Direction.IN, kind=kind,
                                     text=(text or "")[:MAX_TEXT_CHARS], html=html, received_at=received_at,
                                     inbound_item=item)
    for name, content_type, data in attachments or []:
        if len(data) > MAX_ATTACHMENT_BYTES or not content_type.startswith(ALLOWED_ATTACHMENT_TYPES):
            continue
        attachment = MessageAttachment(message=message, name=name[:200], content_type=content_type[:100],
                                       size=len(data))
        attachment.file.save(name[:100] or "file", ContentFile(data), save=False)
        attachment.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=received_at, updated_at=now)
    _record(conversation, ConversationAction.RECEIVE, now=now, body=message.text[:200],
            data={"message": message.pk, "kind": kind})
    if item is not None:
        InboundItem.objects.filter(pk=item.pk).update(processed_at=now)
    appended_to = append_to_order_if_named(conversation=conversation, message=message, reference_text=reference_text)
    if appended_to is not None:
        message.work_order = appended_to
    return message


@transaction.atomic
def identity_bind(*, account: ChannelAccount, address: str, customer: Customer, actor_user=None) -> ChannelIdentity:
    """Bind an address (openid, mail address) to a customer; its open conversations follow."""
    now = timezone.now()
    identity, _created = ChannelIdentity.objects.update_or_create(
        account=account, address=address, defaults={"customer": customer, "bound_by": actor_user, "bound_at": now})
    for conversation in Conversation.objects.filter(account=account, address=address,
                                                    status=ConversationStatus.OPEN):
        Conversation.objects.filter(pk=conversation.pk).update(customer=customer, updated_at=now)
        _record(conversation, ConversationAction.BIND, now=now, actor=actor_user, data={"customer": customer.pk})
    return identity
