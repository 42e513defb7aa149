"""The standards register: each service standard a row (code, rule parameters with the seed's
default, target, where the figure comes from, who is warned), the per-site / per-group rules a
manager sets with their history, and the warnings raised once per occurrence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.standards.choices import RuleAction, StandardCode


class Standard(models.Model):
    """One promise the center makes (DOMAIN.md "Service standards"), owned by the register: the
    stable `code`, the default `parameters` and `target` the seed gives it (kefu.standards.registry),
    the roles warned when it is about to be missed, and whether it is shown on the board. The figure
    itself is computed by kefu.standards.figures from the other apps' records."""

    code = models.CharField(_("code"), max_length=32, unique=True, choices=StandardCode.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=4)
    warn_roles = models.JSONField(_("roles warned"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        ordering = ["position", "code"]

    def __str__(self):
        return self.get_code_display()


class StandardRule(models.Model):
    """A site's or a group's (department subtree's) own parameters and target for one standard,
    set by a manager through `standard_rule_set` (compare-and-swap on `version`; every change is a
    `StandardRuleEvent`). A site's rule wins over its department's, a department's over the ones
    above it, and any of them over the register's default."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="rules")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("group"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=4)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("standard rule")
        verbose_name_plural = _("standard rules")
        constraints = [
            models.CheckConstraint(condition=Q(site__isnull=True) ^ Q(department__isnull=True),
                                   name="standard_rule_site_xor_department"),
            models.UniqueConstraint(fields=["standard", "site"], condition=Q(site__isnull=False),
                                    name="uniq_standard_rule_site"),
            models.UniqueConstraint(fields=["standard", "department"], condition=Q(department__isnull=False),
                                    name="uniq_standard_rule_department"),
        ]

    def __str__(self):
        return f"{self.standard.code} @ {self.site_id or self.department_id}"


class StandardRuleEvent(ImmutableEvent):
    """One change of a standard's rule for a site or group: who, when, the parameters and target
    before and after (`data`: {"before": …, "after": …}). Kept when the rule is reset."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="rule_events")
    site = models.ForeignKey("customers.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=RuleAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("standard rule change")
        verbose_name_plural = _("standard rule changes")
        indexes = [models.Index(fields=["standard", "created_at"], name="standard_rule_event_idx")]


class StandardWarning(models.Model):
    """A standard about to be missed, raised once per occurrence (`key`, e.g. the QA week and
    department, the schedule and period): a dashboard item on the board for the responsible
    `role` (within `department` when set) and one email per person with that role through the
    notifications outbox. The unique key is what makes it once."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="warnings")
    key = models.CharField(max_length=200)
    role = models.CharField(_("role warned"), max_length=32)
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    site = models.ForeignKey("customers.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=500)
    message_en = models.CharField(_("English message"), max_length=500)
    url = models.CharField(max_length=500, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"))
    recipients = models.PositiveIntegerField(_("people warned"), default=0)

    class Meta:
        verbose_name = _("standard warning")
        verbose_name_plural = _("standard warnings")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["standard", "key"], name="uniq_standard_warning_key")]

    def __str__(self):
        return f"{self.standard.code}: {self.key}"
