"""Routing rules, the round-robin cursor of each team, and members' absences.

A `RoutingRule` says which team (and how the person within it) gets a new order that matches its
fields; the first active rule by `priority` (lowest first, then id) wins, and a rule with no
match field is the default. `RoundRobinCursor` remembers, per team, who got the last order, so
the next one goes to the member after them. `MemberAbsence` marks a member away (leave, training,
sick): routing skips them while it lasts. Routing never writes a work order itself: it dispatches
through the work-order gate as the system (`services.py`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.routing.choices import Assignment
from kefu.workorders.choices import Channel, WorkOrderType


class RoutingRule(models.Model):
    """One rule: match fields (each empty = any) → a team and an assignment method.

    `category` matches the category and every category below it; `time_from`/`time_until`
    (local time, may wrap past midnight) limit the rule to a time of day."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    priority = models.IntegerField(_("priority"), default=100, help_text=_("Lowest first."))
    type = models.CharField(_("type"), max_length=20, choices=WorkOrderType.choices, blank=True)
    category = models.ForeignKey("workorders.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("customers.Building", verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    complaint_level = models.PositiveSmallIntegerField(
        _("complaint level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)])
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_until = models.TimeField(_("until (time of day)"), null=True, blank=True)
    team = models.ForeignKey("org.Department", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="+")
    assignment = models.CharField(_("assignment"), max_length=16, choices=Assignment.choices,
                                  default=Assignment.NONE)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(complaint_level__isnull=True) | Q(complaint_level__in=[1, 2, 3]),
                                   name="routing_rule_complaint_level"),
            models.CheckConstraint(condition=Q(time_from__isnull=True, time_until__isnull=True)
                                   | Q(time_from__isnull=False, time_until__isnull=False),
                                   name="routing_rule_time_window"),
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def is_default(self) -> bool:
        return not (self.type or self.category_id or self.site_id or self.building_id or self.channel
                    or self.complaint_level or self.time_from)


class RoundRobinCursor(models.Model):
    """Who in a team got the last order by round robin (locked while the next one is chosen)."""

    team = models.OneToOneField("org.Department", on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("round-robin cursor")
        verbose_name_plural = _("round-robin cursors")

    def __str__(self) -> str:
        return f"{self.team_id} → {self.last_user_id}"


class MemberAbsence(models.Model):
    """A member away from `starts_at` until `ends_at` (routing skips them meanwhile)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE,
                             related_name="routing_absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "ends_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="routing_absence_positive")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
