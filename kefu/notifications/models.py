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
