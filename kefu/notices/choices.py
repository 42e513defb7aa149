from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class NoticeAction(models.TextChoices):
    CREATE = "create", _("Create")
    SUBMIT = "submit", _("Submit")
    APPROVE = "approve", _("Approve")
    SEND = "send", _("Send")
    CANCEL = "cancel", _("Cancel")
    FINISH = "finish", _("All recipients queued")
