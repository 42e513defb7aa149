"""Scheduled report deliveries and the history of generated report files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.reports.choices import FileFormat, Frequency, ReportKind


class ReportSchedule(models.Model):
    """A report to generate on a schedule (weekly Monday 09:00 or monthly on the 1st, site zone)
    for a scope, and who receives the link to it by email. `owner` is whose visibility the
    figures are computed with. `last_period_start` makes a run idempotent per period."""

    name = models.CharField(_("name"), max_length=100)
    report = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices, default=FileFormat.XLSX)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    # {"site": id, "department": id, "team": id, "agent": id} — the report page's scope parameters.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    recipients = models.JSONField(_("recipients (email addresses)"), default=list)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="report_schedules")
    is_active = models.BooleanField(_("active"), default=True)
    last_period_start = models.DateField(_("last period generated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


def report_path(instance, filename):
    return f"reports/{instance.period_start:%Y%m}/{filename}"


class GeneratedReport(models.Model):
    """One generated report file (kept as history): what, for which period and scope, by whom or
    which schedule. Served only through a view that checks who may read it."""

    report = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=report_path, max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    schedule = models.ForeignKey(ReportSchedule, verbose_name=_("schedule"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="generated")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("generated for"),
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("generated at"))

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["generated_by", "-created_at"], name="generated_report_user_idx")]
        # Per period, not per start day: a weekly and a monthly period can both start on the 1st
        # when a schedule's frequency changes (docs/reports.md, "changing a schedule").
        constraints = [models.UniqueConstraint(fields=["schedule", "period_start", "period_end"],
                                               condition=models.Q(schedule__isnull=False),
                                               name="uniq_generated_per_schedule_period")]

    def __str__(self):
        return f"{self.report} {self.period_start}–{self.period_end}"


def _mirror(model, **kwargs):
    """A foreign key copied from the work order: same column name (so visibility_q and
    Scope.q read the fact row as they read the order), no constraint or index of its own
    (the work order's row already guarantees it; the facts are rebuilt from it)."""
    return models.ForeignKey(model, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+", **kwargs)


class OrderFact(models.Model):
    """One narrow row per work order with what the service analysis counts (ADR 0008): the order's
    own columns the figures group and filter by (times, type, channel, status, complaint level,
    category, site, team, the visibility columns) and the per-order flags that otherwise need other tables —
    repeat complaint (a 30-day look-back over other complaints), callback completed / ended /
    satisfied, rated / rated below satisfied.

    Owned by kefu.reports.facts: `order_facts_refresh` recomputes rows from the records with the
    definitions of kefu.reports.metrics, in the same transaction as the change (the work-order
    gate, the callback and rating services call it). The facts are a copy, never the truth: the
    drill-down lists read the records, and `order_facts_check` compares the two."""

    work_order = models.OneToOneField("workorders.WorkOrder", primary_key=True, on_delete=models.CASCADE,
                                      related_name="report_fact")
    received_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The order's last change. Every stop of a first-response or resolution clock is a gate event
    # that sets it (and refreshes these facts), so an order with a clock stopped in a period was
    # updated at or after the period's start: the clock figures limit their visibility semi-join
    # with it (kefu.reports.selectors.service_analysis).
    updated_at = models.DateTimeField()
    type = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=16)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    complaint_level = models.PositiveSmallIntegerField(null=True, blank=True)
    category = _mirror("workorders.Category")
    site = _mirror("customers.Site")
    team = _mirror("org.Department")
    intake_department = _mirror("org.Department")
    assignee = _mirror(settings.AUTH_USER_MODEL)
    first_contact_owner = _mirror(settings.AUTH_USER_MODEL)
    repeat_complaint = models.BooleanField(default=False)
    callback_completed = models.BooleanField(default=False)
    callback_ended = models.BooleanField(default=False)
    callback_satisfied = models.BooleanField(default=False)
    rated = models.BooleanField(default=False)
    rated_low = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("report fact")
        verbose_name_plural = _("report facts")
        indexes = [
            models.Index(fields=["received_at"], name="order_fact_received_idx"),
            models.Index(fields=["resolved_at"], condition=models.Q(resolved_at__isnull=False),
                         name="order_fact_resolved_idx"),
            models.Index(fields=["updated_at"], name="order_fact_updated_idx"),
            # The walk-in standard's dispatch clocks are limited to the walk-in orders (kefu.standards):
            # their ids without a scan of every fact.
            models.Index(fields=["work_order"], condition=models.Q(channel="walk_in"), name="order_fact_walk_in_idx"),
        ]

    def __str__(self):
        return f"facts of order {self.work_order_id}"
