"""Corrective action notices (纠正措施通知单), their immutable events, and the app's settings row.

Nothing here changes a notice's status: that is `services.corrective_action_transition`'s job.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.improvement.choices import OWNER_PENDING, Action, Source, Status


class ImprovementSettings(models.Model):
    """The one row of tunables (edited in the admin): the repeated-complaint threshold and the
    overdue escalation ladder. Read through `services.improvement_settings()` (it creates the row on first use)."""

    repeat_complaint_threshold = models.PositiveSmallIntegerField(
        _("complaints per category and month that propose a notice"), default=3)
    proposals_enabled = models.BooleanField(_("propose notices automatically"), default=True)
    escalate_manager_after_days = models.PositiveSmallIntegerField(
        _("days overdue before the manager is told"), default=3)
    escalate_director_after_days = models.PositiveSmallIntegerField(
        _("days overdue before the director is told"), default=7)

    class Meta:
        verbose_name = _("corrective-action settings")
        verbose_name_plural = _("corrective-action settings")

    def __str__(self):
        return str(_("Corrective-action settings"))


class CorrectiveActionQuerySet(models.QuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=OWNER_PENDING, due_date__lt=today)


class CorrectiveAction(models.Model):
    """A corrective action notice: a nonconformity, its evidence, who must fix it by when, the root
    cause and action they report, and QA's verification of the effect.

    `status`, `version`, `round` and the issue/verification fields change only through
    `corrective_action_transition` (compare-and-swap on `version`). `reference` makes automatic
    proposals idempotent (one notice per survey item and campaign, category and month, …).
    `escalation_step`/`next_escalation_at` belong to the overdue sweep, which claims each step
    with a conditional UPDATE.
    """

    number = models.CharField(_("notice number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    reference = models.CharField(_("reference"), max_length=200, null=True, blank=True, unique=True,
                                 editable=False)
    nonconformity = models.TextField(_("nonconformity"))
    # [{"kind": "work_order"|"survey_item"|"qa_check"|"link", "label": …, "url": …, …}]
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    item_code = models.CharField(_("survey item"), max_length=64, blank=True, db_index=True)

    responsible_department = models.ForeignKey(
        "org.Department", verbose_name=_("responsible department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="corrective_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_corrective_actions")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    action_taken = models.TextField(_("measures taken"), blank=True)
    verification = models.TextField(_("verification"), blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    round = models.PositiveSmallIntegerField(_("round"), default=1, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="issued_corrective_actions",
                                  editable=False)
    # The issuer's role at issue time: verification is open to QA and this role.
    issuer_role = models.CharField(_("issuer's role"), max_length=32, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    action_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+", editable=False)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    escalation_step = models.PositiveSmallIntegerField(default=0, editable=False)
    next_escalation_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action notice")
        verbose_name_plural = _("corrective action notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ca_status_idx"),
            models.Index(fields=["responsible_department", "status"], name="ca_dept_status_idx"),
            models.Index(fields=["owner", "status"], name="ca_owner_status_idx"),
            # The overdue sweep: only notices with a step still to fire.
            models.Index(fields=["next_escalation_at"], condition=Q(next_escalation_at__isnull=False),
                         name="ca_escalation_due_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.status in OWNER_PENDING and self.due_date and self.due_date < timezone.localdate())


class CorrectiveActionEvent(ImmutableEvent):
    """One immutable entry of a notice's history: action, who (empty: the system), when, from → to
    (the columns and the save guard come from `kefu.core.models.ImmutableEvent`)."""

    notice = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("corrective-action event")
        verbose_name_plural = _("corrective-action events")
        indexes = [models.Index(fields=["notice", "created_at"], name="ca_event_notice_idx")]

    def __str__(self):
        return f"{self.notice_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"
