"""Stable values of corrective-action fields; labels and badge colours live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ISSUED = "issued", _("Issued")
    ACCEPTED = "accepted", _("Accepted")
    ACTION_TAKEN = "action_taken", _("Action taken")
    # Verified not effective: issued again to the same owner with a new due date.
    REISSUED = "reissued", _("Reissued")
    EFFECTIVE = "effective", _("Verified effective")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


# The owner still owes the action: these notices can be overdue and escalate.
OWNER_PENDING = (Status.ISSUED, Status.REISSUED, Status.ACCEPTED)
OPEN_STATUSES = (Status.PROPOSED, *OWNER_PENDING, Status.ACTION_TAKEN, Status.EFFECTIVE)

STATUS_COLORS = {
    Status.PROPOSED: "secondary",
    Status.ISSUED: "primary",
    Status.ACCEPTED: "info",
    Status.ACTION_TAKEN: "warning",
    Status.REISSUED: "danger",
    Status.EFFECTIVE: "success",
    Status.CLOSED: "dark",
    Status.DISMISSED: "light",
}


class Source(models.TextChoices):
    MANUAL = "manual", _("Raised by hand")
    SURVEY = "survey", _("Satisfaction survey")
    COMPLAINTS = "complaints", _("Repeated complaints")
    QA_CHECK = "qa_check", _("QA check")


class Action(models.TextChoices):
    """Everything that can happen to a notice; one event row per occurrence."""

    CREATE = "create", _("Created")
    PROPOSE = "propose", _("Proposed")
    ISSUE = "issue", _("Issue")
    DISMISS = "dismiss", _("Dismiss")
    ACCEPT = "accept", _("Accept")
    RECORD_ACTION = "record_action", _("Record action taken")
    VERIFY_EFFECTIVE = "verify_effective", _("Verify: effective")
    VERIFY_NOT_EFFECTIVE = "verify_not_effective", _("Verify: not effective")
    CLOSE = "close", _("Close")
    COMMENT = "comment", _("Comment")
    # Written by the overdue sweep, not by a person.
    ESCALATE = "escalate", _("Overdue escalation")
