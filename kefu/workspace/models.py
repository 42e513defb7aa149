"""The workspace's own records: saved views of the work-order queues."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of queue filters and sort (e.g. "紧急报修 · 最早到期") that its owner opens in
    one click. A supervisor may share one with a department or team in their scope: everyone in
    it (and below) sees it in their list, and only its owner changes or deletes it.

    `query` is the queue page's query string (queue, filters, ordering), checked against the
    queue's known parameters when saved (`services.saved_view_save`).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="saved_views")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters and sort"), max_length=1000, blank=True)
    shared_with = models.ForeignKey("org.Department", verbose_name=_("shared with"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="saved_views")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="uniq_saved_view_name_per_owner")]
        indexes = [models.Index(fields=["shared_with"], condition=models.Q(shared_with__isnull=False),
                                name="saved_view_shared_idx")]

    def __str__(self):
        return self.name
