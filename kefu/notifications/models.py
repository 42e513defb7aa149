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
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS (log only, not sent)")
    WECHAT = "wechat", _("WeChat (log only, not sent)")


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
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        LOGGED = "logged", _("Logged only")
        FAILED = "failed", _("Failed")

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

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="uniq_message_per_channel")]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(state="pending"),
                                name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.channel} {self.to_address} {self.state}"
