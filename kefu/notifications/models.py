"""In-app notices: who should look at which work-order event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One notice for one recipient about one work-order event; read when `read_at` is set.

    The text is rendered from the event when shown, so it follows the reader's language.
    `(recipient, event)` is unique: re-running the task after a crash adds nothing twice.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey("workorders.WorkOrderEvent", on_delete=models.CASCADE, related_name="notifications")
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event"], name="uniq_notification_per_event")]
        indexes = [models.Index(fields=["recipient", "-created_at"], condition=Q(read_at=None),
                                name="notification_unread_idx")]

    def __str__(self):
        return f"{self.recipient_id}: {self.event_id}"


class Channel(models.TextChoices):
    """Where a message goes. Whether a channel really delivers depends on the adapter configured
    behind it (`channels.adapter_info`): SMS and WeChat stay log-only until an account is set up,
    and the UI says so next to the channel."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    WECOM = "wecom", _("WeCom")


class MessageKind(models.TextChoices):
    """What a message to a customer (or a staff member) is about; decides its template, its
    provider template code, whether a customer may opt out and whether quiet hours hold it."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement (order taken)")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_THE_WAY = "on_the_way", _("Technician on the way")
    COMPLETED = "completed", _("Completed")
    REOPENED = "reopened", _("Reopened")
    CALLBACK_APPOINTMENT = "callback_appointment", _("Callback appointment")
    RATING_INVITATION = "rating_invitation", _("Rating invitation")
    SURVEY_INVITATION = "survey_invitation", _("Survey invitation")
    NOTICE = "notice", _("Notice / announcement")
    STAFF = "staff", _("Staff notification")
    # The customer portal's sign-in code (kefu.portal): a provider's verification-code template.
    VERIFICATION_CODE = "verification_code", _("Sign-in code")


def default_email_actions() -> list[str]:
    """Events worth an email by default: escalations, work dispatched to me, plans to approve."""
    return ["escalate", "dispatch", "submit_plan"]


class NotificationPreference(models.Model):
    """How one user wants to hear about events beyond the in-app notice."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_enabled = models.BooleanField(_("email"), default=True)
    email_actions = models.JSONField(_("email me about"), default=default_email_actions, blank=True)
    sms_enabled = models.BooleanField(_("SMS"), default=False)
    wechat_enabled = models.BooleanField(_("WeChat"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user_id)


class OutboundMessage(models.Model):
    """The outbox: one message to send on one channel, for one in-app notification or (rating links,
    survey invitations, reminders) for someone outside the app.

    Written in the same transaction as the notification, sent afterwards by the worker. A sender
    claims a row by moving `next_attempt_at` forward with a conditional UPDATE (a lease), so two
    workers never send the same row; a failure is retried with backoff up to MAX_ATTEMPTS.

    A message that carries a credential (a customer's rating or survey link) comes with
    `redacted_body`, the same text with the link replaced by a placeholder: `body` keeps the link
    while the row may still be sent and becomes `redacted_body` in the UPDATE that makes the row
    final (sent, logged, failed). Without it (messages to staff) `body` is kept as it is.

    Messages to customers carry their `kind`, the `work_order` they are about and the template
    `params` that providers with a template model (Alibaba/Tencent SMS, WeChat) are sent instead
    of the text. The provider's id (`provider_id`) links delivery receipts back: `sent` becomes
    `delivered` or `failed` with the provider's `reason`. `suppressed` rows were never sent (the
    customer opted out of the kind, the kind is switched off), with the reason. `dedup_key`, when
    set, is unique: the same notice is never queued twice for the same person.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        LOGGED = "logged", _("Logged only")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="messages",
                                     null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to_address = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    redacted_body = models.TextField(_("text kept after sending"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices, default=MessageKind.STAFF)
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="outbound_messages")
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent (sent in quiet hours)"), default=False)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    parts = models.PositiveSmallIntegerField(_("SMS parts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dedup_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="uniq_message_per_channel")]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(state="pending"),
                                name="outbox_pending_idx"),
                   models.Index(fields=["work_order", "created_at"], condition=Q(work_order__isnull=False),
                                name="outbox_work_order_idx"),
                   models.Index(fields=["provider", "provider_id"], condition=~Q(provider_id=""),
                                name="outbox_provider_id_idx")]

    def __str__(self):
        return f"{self.channel} {self.to_address} {self.state}"


class MessageTemplate(models.Model):
    """The text of one message kind in one language, managed in the admin; overrides the
    built-in text (`kefu.notifications.templates_text`). `{name}` placeholders must be variables
    of the kind (checked on save). `is_active` off switches the kind off for customers: nothing is
    sent, the row says why. Provider template codes live on the provider account (one per kind)."""

    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("text"), max_length=1000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="uniq_message_template")]

    def __str__(self):
        return f"{self.kind} {self.language}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from kefu.core.errors import InvalidInput
        from kefu.notifications.templates_text import check_template

        try:
            check_template(self.kind, self.text, field="text")
        except InvalidInput as error:
            raise ValidationError(dict(error.fields)) from None


class CustomerMessageOptOut(models.Model):
    """A customer does not want messages of this kind (on any channel). Kinds a center must be
    able to send — notices such as a water stop — can still be opted out of only if the center
    allows it (`templates_text.OPTIONAL_KINDS`)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="message_opt_outs")
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("message opt-out")
        verbose_name_plural = _("message opt-outs")
        constraints = [models.UniqueConstraint(fields=["customer", "kind"], name="uniq_opt_out_per_kind")]

    def __str__(self):
        return f"{self.customer_id} {self.kind}"
