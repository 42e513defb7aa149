"""QA checks (质检) of agents' work orders: the forms with weighted items, the weekly samples,
the scores, the one appeal and its decision, and each check's immutable history.

Nothing here changes a check's status: that is `services.qa_check_transition`'s job.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.i18n import localised
from kefu.core.models import ImmutableEvent
from kefu.quality.choices import AppealDecision, CheckAction, CheckStatus


class QualitySettings(models.Model):
    """The one row of sampling tunables (edited in the admin): how many orders per agent and week,
    and whether the weekly task runs. Read through `services.quality_settings()` (it creates the row on first use)."""

    samples_per_agent = models.PositiveSmallIntegerField(
        _("orders sampled per agent and week"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)])
    sampling_enabled = models.BooleanField(_("sample every Monday automatically"), default=True)

    class Meta:
        verbose_name = _("QA settings")
        verbose_name_plural = _("QA settings")

    def __str__(self):
        return str(_("QA settings"))


class QAForm(models.Model):
    """A QA form (质检评分表): weighted items (weights sum to 100) and the pass threshold on the
    weighted 0–100 score. A check keeps the form it was sampled with, so editing a form later
    does not rewrite old scores; new samples use the active form."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    pass_threshold = models.DecimalField(_("pass threshold (points of 100)"), max_digits=5, decimal_places=2,
                                         default=Decimal("80"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("QA form")
        verbose_name_plural = _("QA forms")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class QAFormItem(models.Model):
    """One weighted item of a QA form (e.g. greeting and etiquette, 15 %); scored 0–100 per check."""

    form = models.ForeignKey(QAForm, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1),
                                                                          MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # What earns full marks, shown beside the item while scoring (the scorer's yardstick).
    guide = models.TextField(_("guide (what earns full marks)"), blank=True, max_length=2000)
    guide_en = models.TextField(_("English guide"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("QA form item")
        verbose_name_plural = _("QA form items")
        ordering = ["form", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="qa_item_code_uniq")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_guide(self) -> str:
        return localised(self.guide, self.guide_en)


class QACheck(models.Model):
    """One sampled work order of one agent in one week, and what QA made of it.

    `agent` is the order's first-contact owner (首接人) and `department` the agent's department at
    sampling time: supervisors see the checks of their department subtree. `status`, `version`,
    the score, appeal and decision fields change only through `qa_check_transition`
    (compare-and-swap on `version`). One appeal per check: the status can only pass through
    `appealed` once.
    """

    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="qa_checks")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="qa_checks")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="qa_checks")
    form = models.ForeignKey(QAForm, verbose_name=_("QA form"), on_delete=models.PROTECT, related_name="checks")
    week_start = models.DateField(_("week (Monday)"))
    status = models.CharField(_("status"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.PENDING,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True, editable=False)
    comment = models.TextField(_("QA comment"), blank=True, editable=False)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scored by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", editable=False)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True, editable=False)

    appeal_reason = models.TextField(_("appeal reason"), blank=True, editable=False)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True, editable=False)
    appeal_decision = models.CharField(_("appeal decision"), max_length=16, choices=AppealDecision.choices,
                                       blank=True, editable=False)
    appeal_comment = models.TextField(_("decision comment"), blank=True, editable=False)
    original_score = models.DecimalField(_("score before the appeal"), max_digits=5, decimal_places=2, null=True,
                                         blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    corrective_action = models.ForeignKey("improvement.CorrectiveAction", verbose_name=_("corrective action notice"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                          editable=False)
    created_at = models.DateTimeField(_("sampled at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("QA check")
        verbose_name_plural = _("QA checks")
        ordering = ["-week_start", "agent_id", "id"]
        constraints = [
            # Re-running a week's sampling never doubles a check.
            models.UniqueConstraint(fields=["work_order", "week_start"], name="qa_check_order_week_uniq"),
        ]
        indexes = [
            models.Index(fields=["status", "-week_start"], name="qa_check_status_idx"),
            models.Index(fields=["agent", "-week_start"], name="qa_check_agent_idx"),
            models.Index(fields=["department", "status"], name="qa_check_dept_idx"),
        ]

    def __str__(self):
        return f"QA {self.pk} {self.week_start}"


class QACheckItemScore(models.Model):
    """The score (0–100) one item of the form got in one check, with the scorer's remark."""

    qa_check = models.ForeignKey(QACheck, on_delete=models.CASCADE, related_name="item_scores")
    item = models.ForeignKey(QAFormItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points (0–100)"), max_digits=5, decimal_places=2)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("QA item score")
        verbose_name_plural = _("QA item scores")
        ordering = ["item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["qa_check", "item"], name="qa_item_score_uniq")]

    def __str__(self):
        return f"{self.qa_check_id}:{self.item_id}={self.points}"


class QACheckEvent(ImmutableEvent):
    """One immutable entry of a check's history: action, who (empty: the sampler), when, from → to
    (the columns and the save guard come from `kefu.core.models.ImmutableEvent`)."""

    qa_check = models.ForeignKey(QACheck, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=CheckAction.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=CheckStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=CheckStatus.choices, blank=True)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("QA check event")
        verbose_name_plural = _("QA check events")
        indexes = [models.Index(fields=["qa_check", "created_at"], name="qa_event_check_idx")]

    def __str__(self):
        return f"{self.qa_check_id} {self.action}"
