"""Stable values of QA-check fields; labels and badge colours live here and nowhere else."""

from django.db import models
from django.utils.translation import pgettext_lazy


class CheckStatus(models.TextChoices):
    # Context: "Pending", "Scored" and "Final" mean other things elsewhere in the shared catalogs.
    PENDING = "pending", pgettext_lazy("qa check status", "Waiting for scoring")
    SCORED = "scored", pgettext_lazy("qa check status", "Scored")
    APPEALED = "appealed", pgettext_lazy("qa check status", "Appealed")
    FINAL = "final", pgettext_lazy("qa check status", "Final")


# Checks whose score counts in averages and pass rates: an appeal waiting for its decision is
# left out until the supervisor decides (its score may still change).
COUNTED_STATUSES = (CheckStatus.SCORED, CheckStatus.FINAL)

STATUS_COLORS = {
    CheckStatus.PENDING: "secondary",
    CheckStatus.SCORED: "primary",
    CheckStatus.APPEALED: "warning",
    CheckStatus.FINAL: "dark",
}


class CheckAction(models.TextChoices):
    """Everything that can happen to a QA check; one event row per occurrence."""

    SAMPLE = "sample", pgettext_lazy("qa check action", "Sampled")
    SCORE = "score", pgettext_lazy("qa check action", "Score")
    APPEAL = "appeal", pgettext_lazy("qa check action", "Appeal")
    UPHOLD = "uphold", pgettext_lazy("qa check action", "Reject appeal (score stands)")
    AMEND = "amend", pgettext_lazy("qa check action", "Accept appeal (rescore)")
    RAISE_CORRECTIVE_ACTION = "raise_corrective_action", pgettext_lazy("qa check action",
                                                                       "Raise corrective action")


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("qa appeal decision", "Score stands")
    AMENDED = "amended", pgettext_lazy("qa appeal decision", "Rescored")
