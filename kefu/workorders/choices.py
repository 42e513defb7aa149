"""Stable values of work-order fields; labels and badge colours live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair")
    INQUIRY = "inquiry", _("Inquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    BUSINESS_CHANGE = "business_change", _("Business change")
    SPECIAL_SERVICE = "special_service", _("Special service")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    HOTLINE_400 = "hotline_400", _("400 hotline")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    ONLINE_CHAT = "online_chat", _("Online chat")
    EMAIL = "email", _("Email")
    WEB_PORTAL = "web_portal", _("Web portal")
    PATROL = "patrol", _("Patrol finding")
    API = "api", _("API")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.ON_HOLD)

STATUS_COLORS = {
    Status.NEW: "primary",
    Status.ACCEPTED: "info",
    Status.DISPATCHED: "info",
    Status.IN_PROGRESS: "warning",
    Status.ON_HOLD: "secondary",
    Status.RESOLVED: "success",
    Status.CLOSED: "dark",
    Status.CANCELLED: "light",
}

PRIORITY_COLORS = {Priority.LOW: "secondary", Priority.NORMAL: "info", Priority.HIGH: "warning",
                   Priority.URGENT: "danger"}


class HoldReason(models.TextChoices):
    CUSTOMER = "customer", _("Waiting for customer")
    PARTS = "parts", _("Waiting for parts")
    VENDOR = "vendor", _("Waiting for vendor")
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    NONE = "none", _("No plan")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Action(models.TextChoices):
    """Everything that can happen to a work order; one event row per occurrence."""

    CREATE = "create", _("Created")
    ACCEPT = "accept", _("Accept")
    DISPATCH = "dispatch", _("Dispatch")
    START = "start", _("Start work")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    CANCEL = "cancel", _("Cancel")
    COMMENT = "comment", _("Comment")
    ATTACH = "attach", _("Attach file")
    SUBMIT_PLAN = "submit_plan", _("Submit handling plan")
    APPROVE_PLAN = "approve_plan", _("Approve plan")
    REJECT_PLAN = "reject_plan", _("Reject plan")
    # Written by the SLA sweeper, not by a person: a warning or an escalation step of a clock.
    ESCALATE = "escalate", _("SLA warning / escalation")
    # Recorded by the callbacks app: a callback ended (customer reached, or unreachable), and a
    # customer's rating arrived through its link.
    CALLBACK_COMPLETED = "callback_completed", _("Callback completed")
    RATING_RECEIVED = "rating_received", _("Rating received")
