"""Infrastructure models shared by all apps; no domain data lives here."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.i18n import localised


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

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class ImmutableEvent(models.Model):
    """Abstract base of every workflow's history: one row per thing that happened, never changed.

    Who (`actor`; empty: the system), when, the action, from → to status, a text and structured
    data. Subclasses add the foreign key to their record, `action` with their own choices
    (and `from_status`/`to_status` choices for the admin's labels), `Meta.ordering`, indexes.
    Rows are only inserted: `save()` on a stored row raises.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name} rows are immutable")
        super().save(*args, **kwargs)


class LocalisedNameMixin:
    """For models with `name` (Chinese, the default) and `name_en`: `display_name` follows the
    active language, and so does `str()`."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    def __str__(self) -> str:
        return self.display_name
