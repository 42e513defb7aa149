from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceScope(models.TextChoices):
    CLEANING = "cleaning", _("Cleaning")
    GREENERY = "greenery", _("Greenery")
    SECURITY = "security", _("Security")
    LIFT = "lift", _("Lift maintenance")
    PEST_CONTROL = "pest_control", _("Pest control")
    OTHER = "other", _("Other")


class Metric(models.TextChoices):
    """Where an assessment line's value (0–100) comes from."""

    ON_TIME = "on_time_rate", _("Orders resolved on time (%)")
    NOT_REOPENED = "not_reopened_rate", _("Orders not reopened (%)")
    CALLBACK = "callback_satisfaction", _("Callback satisfaction (%)")
    NONCONFORMITY = "nonconformity_closure", _("Nonconformities closed by their deadline (%)")
    PATROL = "patrol_pass_rate", _("Patrol items passed (%)")
    MANUAL = "manual", _("Manual score (%)")


class NonconformitySource(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    COMPLAINT = "complaint", _("Complaint")
    QA = "qa", _("Quality inspection")


class NonconformityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")


class NonconformityAction(models.TextChoices):
    CREATE = "create", _("Raise")
    REPLY = "reply", _("Reply")
    VERIFY = "verify", _("Verify and close")
    REJECT = "reject", _("Reject the rectification")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed off")


class ScorecardAction(models.TextChoices):
    COMPUTE = "compute", _("Compute")
    SIGN = "sign", _("Sign off")


class AttendanceStatus(models.TextChoices):
    """A vendor worker's day on site."""

    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")
