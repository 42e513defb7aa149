"""Infrastructure models shared by all apps; no domain data lives here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: creation and last-change instants (UTC)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """One counter per key (e.g. `GD20261122`); issues gap-free numbers under concurrency.

    See `kefu.core.numbering.next_number`: the counter row is incremented with an UPDATE inside
    the caller's transaction, which holds the row lock until commit, so two transactions can
    never receive the same value (and a rolled-back one gives its value back).
    """

    key = models.CharField(max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.key}={self.last_value}"
