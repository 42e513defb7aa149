"""Stable values of the standards register: the fourteen codes, the board's statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StandardCode(models.TextChoices):
    THREE_RINGS = "three_rings", _("Phone answered within three rings")
    WALK_IN_3MIN = "walk_in_3min", _("Walk-in request handed over within three minutes")
    SUGGESTION_BOX_DAILY = "suggestion_box_daily", _("Suggestion box opened and handled daily")
    CALLBACK_ALL = "callback_all", _("Every complaint and repair called back")
    CALLBACK_SAMPLING = "callback_sampling", _("Sampled callbacks on site with a signature")
    COMPLAINT_CLOSED_3D = "complaint_closed_3d", _("Complaint sheet closed within three days")
    SATISFACTION_95 = "satisfaction_95", _("Satisfaction at least 95% per service item")
    SURVEY_TWICE_YEARLY = "survey_twice_yearly", _("Satisfaction survey at least twice a year")
    QA_WEEKLY = "qa_weekly", _("Weekly QA checks of agents")
    REPORT_CADENCE = "report_cadence", _("Complaint, inquiry and business-change reports on time")
    ANALYSIS_CADENCE = "analysis_cadence", _("Service analysis weekly, monthly, quarterly and annually")
    SITE_WALKS = "site_walks", _("Managers' site walks")
    KPI_MANAGER = "kpi_manager", _("Customer service manager's quarterly KPI scorecard")
    KPI_INTAKE_SUPERVISOR = "kpi_intake_supervisor", _("Intake supervisor's quarterly KPI scorecard")


class Status(models.TextChoices):
    MET = "met", pgettext_lazy("standard status", "Met")
    MISSED = "missed", pgettext_lazy("standard status", "Missed")
    AT_RISK = "at_risk", pgettext_lazy("standard status", "At risk")
    NO_DATA = "no_data", pgettext_lazy("standard status", "No data yet")


STATUS_COLORS = {Status.MET: "success", Status.MISSED: "danger", Status.AT_RISK: "warning",
                 Status.NO_DATA: "secondary"}


class RuleAction(models.TextChoices):
    SET = "set", pgettext_lazy("standard rule", "Rule set")
    RESET = "reset", pgettext_lazy("standard rule", "Back to the default")
