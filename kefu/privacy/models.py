"""The personal-data access log (PIPL: access on need, audited)."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from kefu.privacy.choices import AccessAction, PersonalField


class AccessLog(models.Model):
    """One access to unmasked personal data: who saw whose which field, when and why.

    Owns the audit trail of reveals on pages and of unmasked exports. Rows are only inserted;
    `customer_label` keeps the name readable after the customer is merged or erased.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("privacy", "who"),
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(pgettext_lazy("privacy", "action"), max_length=12, choices=AccessAction.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=pgettext_lazy("privacy", "whose"),
                                 null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_label = models.CharField(pgettext_lazy("privacy", "customer"), max_length=100, blank=True)
    field = models.CharField(pgettext_lazy("privacy", "field"), max_length=12, choices=PersonalField.choices)
    reason = models.CharField(pgettext_lazy("privacy", "why"), max_length=200)
    # Exports: which list, its filters and how many rows left the system.
    data = models.JSONField(pgettext_lazy("privacy", "details"), default=dict, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("privacy", "when"), db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("privacy", "personal-data access")
        verbose_name_plural = pgettext_lazy("privacy", "personal-data access log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="privacy_log_actor_idx"),
            models.Index(fields=["customer", "-created_at"], name="privacy_log_customer_idx"),
        ]

    def __str__(self):
        return f"{self.actor_id} {self.action} {self.field} {self.customer_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("access-log rows are immutable")
        super().save(*args, **kwargs)
