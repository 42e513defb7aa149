"""Stable values of callback fields; labels and badge colours live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RuleMode(models.TextChoices):
    ALL = "all", _("All (100%)")
    SAMPLE = "sample", _("Sample")
    NONE = "none", _("No callback")


class SamplePeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Source(models.TextChoices):
    RESOLUTION = "resolution", pgettext_lazy("callback source", "Resolution")
    SAMPLE = "sample", _("Sample")
    RATING = "rating", _("Low rating")
    SURVEY = "survey", _("Survey")
    MANUAL = "manual", _("Manual")


class CallbackStatus(models.TextChoices):
    # Context: "Open" and "Completed" mean other things elsewhere in the shared catalogs.
    OPEN = "open", pgettext_lazy("callback status", "Open")
    COMPLETED = "completed", pgettext_lazy("callback status", "Completed")
    UNREACHABLE = "unreachable", pgettext_lazy("callback status", "Unreachable")
    CANCELLED = "cancelled", pgettext_lazy("callback status", "Cancelled")


CLOSED_STATUSES = (CallbackStatus.COMPLETED, CallbackStatus.UNREACHABLE, CallbackStatus.CANCELLED)

STATUS_COLORS = {
    CallbackStatus.OPEN: "primary",
    CallbackStatus.COMPLETED: "success",
    CallbackStatus.UNREACHABLE: "warning",
    CallbackStatus.CANCELLED: "secondary",
}


class Method(models.TextChoices):
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", _("On site")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")


class NotReachedReason(models.TextChoices):
    """Why a callback attempt did not reach the customer (the workbench's quick reasons)."""

    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SWITCHED_OFF = "switched_off", _("Switched off")


class Outcome(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


# Outcomes that reopen the order (as does "not solved", whatever the outcome).
NEGATIVE_OUTCOMES = frozenset({Outcome.DISSATISFIED, Outcome.VERY_DISSATISFIED})
# Outcomes after which a rule with auto-close closes the order (when it is also solved).
POSITIVE_OUTCOMES = frozenset({Outcome.VERY_SATISFIED, Outcome.SATISFIED})

OUTCOME_COLORS = {
    Outcome.VERY_SATISFIED: "success",
    Outcome.SATISFIED: "success",
    Outcome.NEUTRAL: "secondary",
    Outcome.DISSATISFIED: "danger",
    Outcome.VERY_DISSATISFIED: "danger",
}


class RatingLinkState(models.TextChoices):
    """Why a rating link can or cannot be used (computed, not stored)."""

    VALID = "valid", _("Valid")
    USED = "used", _("Already used")
    EXPIRED = "expired", _("Expired")
    UNKNOWN = "unknown", _("Unknown")
