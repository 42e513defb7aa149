"""Channels: the accounts requests arrive through (400 lines, WeChat official accounts, WeCom
apps, mailboxes, suggestion boxes) and, for outbound delivery, SMS/WeChat/WeCom senders.

Secrets (app secrets, HMAC keys, passwords) are kept encrypted at rest (kefu.channels.crypto)
and never shown again after entry.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.channels import crypto
from kefu.channels.choices import (
    AccountKind,
    CallStatus,
    ConversationAction,
    ConversationStatus,
    Direction,
    MessageKind,
)
from kefu.core.models import ImmutableEvent


class ChannelAccount(models.Model):
    """One source or sender: a 400 line, a hotline, an official account, a WeCom app, a mailbox.

    Owns its settings (`config`, plain JSON: app id, token, host, line numbers…) and its secrets
    (`get_secret`/`set_secret`, one encrypted token in `secrets_encrypted`). `department` is the
    center that receives what arrives through it (and who may see and manage it). A paused
    account answers its provider but takes nothing in. `version` is bumped on every change
    (compare-and-swap, ADR 0002).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    provider = models.CharField(_("provider"), max_length=32, blank=True,
                                help_text=_("Vendor or protocol variant, e.g. generic, aliyun, tencent."))
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey("org.Department", verbose_name=_("receiving department"),
                                   on_delete=models.PROTECT, related_name="channel_accounts")
    config = models.JSONField(_("settings"), default=dict, blank=True)
    secrets_encrypted = models.TextField(_("secrets (encrypted)"), blank=True, editable=False)
    is_paused = models.BooleanField(_("paused"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    # --- secrets: never returned by the API or shown in the admin --------------------------------
    def _secrets(self) -> dict[str, str]:
        cache: dict[str, str] | None = getattr(self, "_secret_cache", None)
        if cache is None or getattr(self, "_secret_cache_token", None) != self.secrets_encrypted:
            cache = crypto.decrypt_secrets(self.secrets_encrypted)
            self._secret_cache = cache
            self._secret_cache_token = self.secrets_encrypted
        return cache

    def get_secret(self, name: str, default: str | None = None) -> str | None:
        """The decrypted secret `name` ("secret" is the main one: app secret, HMAC key, password)."""
        return self._secrets().get(name, default)

    def set_secret(self, name: str, value: str | None) -> None:
        """Set (or with None/"" remove) secret `name`, encrypted; the caller saves the account."""
        values = dict(self._secrets())
        if value:
            values[name] = str(value)
        else:
            values.pop(name, None)
        self.secrets_encrypted = crypto.encrypt_secrets(values)

    @property
    def secret_names(self) -> list[str]:
        """Which secrets are set (names only)."""
        return sorted(self._secrets())

    def config_value(self, name: str, default: Any = None) -> Any:
        return (self.config or {}).get(name, default)


class ChannelIdentity(models.Model):
    """An address on a channel (WeChat openid, email address, phone) bound to a customer, so
    what arrives from it joins that customer's conversation. Bound by an agent or by the
    customer verifying their phone through the portal."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="identities")
    address = models.CharField(_("address"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="channel_identities")
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    bound_at = models.DateTimeField(_("bound at"))

    class Meta:
        verbose_name = _("channel identity")
        verbose_name_plural = _("channel identities")
        constraints = [models.UniqueConstraint(fields=["account", "address"], name="uniq_channel_identity")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.address}"


class Conversation(models.Model):
    """What one address said through one account until an agent converts it into a work order
    (or appends it to an open one) or closes it. Owns its messages; status changes go through
    `services.conversation_transition` (the kernel's gate) and leave ConversationEvents."""

    account = models.ForeignKey(ChannelAccount, verbose_name=_("channel account"), on_delete=models.PROTECT,
                                related_name="conversations")
    address = models.CharField(_("from"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="conversations")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ConversationStatus.choices,
                              default=ConversationStatus.OPEN)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="conversations")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    last_message_at = models.DateTimeField(_("last message"))

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["account", "address", "status"], name="conv_account_address")]

    def __str__(self) -> str:
        return f"{self.address} · {self.subject or self.pk}"

    @property
    def last_message(self) -> "Message | None":
        """The newest message (from the prefetched list on lists)."""
        found = list(self.messages.all())
        return found[-1] if found else None


class ConversationEvent(ImmutableEvent):
    """What happened to a conversation: received, converted, appended, closed, bound."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=ConversationAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("conversation event")
        verbose_name_plural = _("conversation events")


class InboundItem(models.Model):
    """Everything that arrives, stored raw first: a call event, a WeChat message, a mail.

    Unique on (account, provider_id): a redelivery finds the stored row and changes nothing.
    `processed_at` is set once it was turned into a message or call update (the worker retries
    the rest)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="inbound_items")
    provider_id = models.CharField(_("provider id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    raw = models.TextField(_("raw"), blank=True)
    payload = models.JSONField(_("parsed"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inbound item")
        verbose_name_plural = _("inbound items")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "provider_id"], name="uniq_inbound_provider_id")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.provider_id}"


class Message(models.Model):
    """One message of a conversation (in or out): its text as shown, when, and where it came from."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.IN)
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices, default=MessageKind.TEXT)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    inbound_item = models.OneToOneField(InboundItem, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="message")
    work_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text=_("The order this message was added to."))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class MessageAttachment(models.Model):
    """A file that came with a message (a WeChat image, a mail attachment), within size/type limits."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="channels/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """One phone call on a line (CTI account), merged from its events in whatever order they came.

    The status follows from the instants seen (ringing → answered → ended; missed when it ended
    unanswered or was reported missed), so a late or repeated event never moves it back.
    `ring_seconds`: from ringing to answer (or to the end when missed). A missed call gets a
    callback task; orders created from the call are linked in `work_orders`."""

    account = models.ForeignKey(ChannelAccount, verbose_name=_("line"), on_delete=models.PROTECT,
                                related_name="calls")
    call_id = models.CharField(_("call id"), max_length=100)
    caller = models.CharField(_("caller"), max_length=40)
    line = models.CharField(_("line"), max_length=40, blank=True)
    agent = models.CharField(_("agent extension"), max_length=100, blank=True)
    agent_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="channel_calls")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="calls")
    status = models.CharField(_("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING)
    ringing_at = models.DateTimeField(_("rang at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed at"), null=True, blank=True)
    ring_seconds = models.PositiveIntegerField(_("ring time (s)"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    callback = models.ForeignKey("callbacks.Callback", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="calls")
    work_orders = models.ManyToManyField("workorders.WorkOrder", blank=True, related_name="calls")
    popped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "call_id"], name="uniq_call_per_account")]
        indexes = [models.Index(fields=["agent_user", "status"], name="call_agent_status")]

    def __str__(self) -> str:
        return f"{self.caller} · {self.call_id}"


class PollState(models.Model):
    """The worker's place in a polled mailbox: one lease at a time (so two workers never fetch the
    same mailbox at once), the last poll and its error."""

    account = models.OneToOneField(ChannelAccount, on_delete=models.CASCADE, related_name="poll_state")
    lease_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    fetched = models.PositiveIntegerField(_("mails fetched"), default=0)

    class Meta:
        verbose_name = _("poll state")
        verbose_name_plural = _("poll states")

    def __str__(self) -> str:
        return f"{self.account_id}"
