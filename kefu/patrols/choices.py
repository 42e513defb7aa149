from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("pass / fail")
    VALUE = "value", _("reading")
    PHOTO = "photo", _("photo")


class Frequency(models.TextChoices):
    DAILY = "daily", _("daily at set times")
    WEEKLY = "weekly", _("times per week")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Missed")


class RoundAction(models.TextChoices):
    PLAN = "plan", _("Plan")
    VISIT = "visit", _("Visit checkpoint")
    COMPLETE = "complete", _("Complete")
    MISS = "miss", _("Missed")
    ESCALATE = "escalate", _("Escalate")


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WORK_ORDER = "work_order", _("Work order raised")
    NONCONFORMITY = "nonconformity", _("Vendor nonconformity raised")
