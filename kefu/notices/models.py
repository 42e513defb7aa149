"""Notices and announcements (通知公告 / 温馨提示) to many customers at once.

A `Notice` owns its text, its channels, its target (sites, buildings, units, tags) and its
workflow (draft → waiting for approval → approved → sending → sent; cancelled), changed only
through `services.notice_transition` (the kernel's gate: 404/403/409/400, compare-and-swap on
`version`), one `NoticeEvent` each. Its recipients are expanded by the worker in chunks, in
customer-id order from `cursor`: each chunk writes its outbox rows (one per customer, on the
first of the notice's channels that reaches them; `dedup_key` unique) and its `NoticeRecipient`
rows and moves the cursor in one transaction, so a worker killed mid-way resumes where the last
chunk ended and no customer is queued twice. Sending is the outbox's (a lease per row).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.notices.choices import NoticeAction, NoticeStatus


class Notice(models.Model):
    """One announcement to a target set of customers (see the module docstring)."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=500)
    channels = models.JSONField(_("channels"), default=list)
    target = models.JSONField(_("target"), default=dict)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent (also in quiet hours)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    # Expansion progress: the last customer id queued, and how many recipients so far.
    cursor = models.BigIntegerField(default=0, editable=False)
    recipients = models.PositiveIntegerField(_("recipients"), default=0, editable=False)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"], name="notice_status_idx")]

    def __str__(self):
        return self.title


class NoticeRecipient(models.Model):
    """One customer a notice was queued for, and its outbox row (the delivery status)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipient_rows")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField("notifications.OutboundMessage", on_delete=models.CASCADE,
                                   related_name="notice_recipient")

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [models.UniqueConstraint(fields=["notice", "customer"], name="uniq_notice_recipient")]

    def __str__(self):
        return f"{self.notice_id} {self.customer_id}"


class NoticeEvent(ImmutableEvent):
    """One immutable entry of a notice's history."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=NoticeAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
