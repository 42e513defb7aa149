"""Stable values of report fields; labels live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportKind(models.TextChoices):
    SERVICE_ANALYSIS = "service_analysis", _("Service analysis")
    COMPLAINT = "complaint", _("Complaint report")
    INQUIRY = "inquiry", _("Inquiry report")
    BUSINESS_CHANGE = "business_change", _("Business-change report")
    EVIDENCE = "evidence", _("Complaint-handling evidence (GB/T 19012)")


# The work-order type each per-type report is about.
KIND_TYPES = {ReportKind.COMPLAINT: "complaint", ReportKind.INQUIRY: "inquiry",
              ReportKind.BUSINESS_CHANGE: "business_change"}


class Frequency(models.TextChoices):
    # Context: "Weekly"/"Monthly" may already mean a survey period in the shared catalog.
    WEEKLY = "weekly", pgettext_lazy("report schedule", "Weekly (Monday 09:00, last week)")
    MONTHLY = "monthly", pgettext_lazy("report schedule", "Monthly (1st 09:00, last month)")
    QUARTERLY = "quarterly", pgettext_lazy("report schedule", "Quarterly (first working day 09:00, last quarter)")
    ANNUAL = "annual", pgettext_lazy("report schedule", "Annual (first working day 09:00, last year)")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (xlsx)"
    PDF = "pdf", "PDF"
