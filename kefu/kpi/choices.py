"""Stable values of KPI fields; labels live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    """Where an indicator's value comes from: computed from Kefu's records, or entered by hand."""

    SATISFACTION = "satisfaction", _("Callback satisfaction rate (computed)")
    ON_TIME_RATE = "on_time_rate", _("Resolution on-time rate (computed)")
    QA_AVERAGE = "qa_average", _("QA average score (computed)")
    QA_PASS_RATE = "qa_pass_rate", _("QA pass rate (computed)")
    MANUAL = "manual", pgettext_lazy("kpi source", "Entered by hand")


COMPUTED_SOURCES = (Source.SATISFACTION, Source.ON_TIME_RATE, Source.QA_AVERAGE, Source.QA_PASS_RATE)
# Sources whose value is a share: stored and shown in percent.
PERCENT_SOURCES = (Source.SATISFACTION, Source.ON_TIME_RATE, Source.QA_PASS_RATE)


class Rule(models.TextChoices):
    LINEAR = "linear", _("Linear between floor and target")
    THRESHOLD = "threshold", _("Full marks at the target, none below")
    MANUAL = "manual", _("The entered value is the score")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scorecard status", "Draft")
    SIGNED_OFF = "signed_off", pgettext_lazy("scorecard status", "Signed off")


STATUS_COLORS = {ScorecardStatus.DRAFT: "secondary", ScorecardStatus.SIGNED_OFF: "success"}


class ScorecardAction(models.TextChoices):
    GENERATE = "generate", pgettext_lazy("scorecard action", "Generated")
    REFRESH = "refresh", pgettext_lazy("scorecard action", "Recomputed")
    ENTER = "enter", pgettext_lazy("scorecard action", "Value entered")
    SIGN_OFF = "sign_off", pgettext_lazy("scorecard action", "Signed off")


class ReviewGroup(models.TextChoices):
    CORE = "core", _("Core competencies")
    REFERENCE = "reference", _("Reference competencies")
    ATTITUDE = "attitude", _("Attitude")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review status", "Submitted")
