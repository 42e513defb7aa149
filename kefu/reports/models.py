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
