from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.TextChoices):
    """How a rule picks the person within its team (or nobody: the team's supervisor does)."""

    NONE = "none", _("team only")
    ROUND_ROBIN = "round_robin", _("round robin")
    LEAST_LOADED = "least_loaded", _("least loaded")
