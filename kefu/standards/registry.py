"""The fourteen service standards as data (DOMAIN.md, "Service standards"): each one's parameters
with the seed's default, the target its figure is held to, where the figure comes from, and which
roles are warned when it is about to be missed.

Pure Python: the seed migration writes these rows into `Standard`, the board reads the rows (a
manager may override the parameters and target per site or group, `StandardRule`). A parameter
marked `source` is not the register's: it is read from the record named (one source of truth —
the 3-day closure is the complaint SLA policy's resolution target) and shown, never edited here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from kefu.org.choices import RoleCode
from kefu.standards.choices import StandardCode as C


@dataclass(frozen=True)
class Param:
    """One parameter of a rule: its kind (`int`, `rate` 0–1, `time` HH:MM, `days`), bounds, label."""

    kind: str
    default: object
    label: Any  # a lazy translation
    minimum: float = 0
    maximum: float = 10_000


@dataclass(frozen=True)
class Definition:
    code: str
    params: dict[str, Param]
    target: float
    unit: str  # "rate": value is a share 0–1; "count": value is a number compared with the target
    source: Any  # lazy translations
    definition: Any
    warn_roles: tuple[str, ...] = ()
    # A standard whose data come from a module not built yet says so on the board.
    pending: Any = ""
    # Parameters read from another record, not from the register (shown beside the rule).
    sourced: tuple[str, ...] = field(default=())



DEFINITIONS: dict[str, Definition] = {d.code: d for d in (
    Definition(C.THREE_RINGS, {"rings": Param("int", 3, _("rings"), 1, 20)}, 1.0, "rate",
               _("Inbound calls (inbound channels)"),
               _("Calls answered within the rings ÷ calls offered."), (RoleCode.SUPERVISOR,),
               pending=_("Calls are recorded once the inbound-channels module lands.")),
    Definition(C.WALK_IN_3MIN, {"minutes": Param("int", 3, _("minutes"), 1, 600)}, 1.0, "rate",
               _("SLA dispatch clocks of walk-in orders (the walk-in SLA policy's dispatch target)"),
               _("Walk-in orders whose dispatch clock was decided in the period and met ÷ walk-in orders with a "
                 "dispatch clock decided in the period. The dispatch clock alone, not pooled with first response."),
               (RoleCode.SUPERVISOR,), sourced=("minutes",)),
    Definition(C.SUGGESTION_BOX_DAILY, {"collect_at": Param("time", "15:00", _("collected at")),
                                        "handover_minutes": Param("int", 30, _("handed over within (minutes)"), 1, 600),
                                        "handled_by": Param("time", "17:30", _("handled by"))}, 1.0, "rate",
               _("Suggestion-box letters (inbound channels)"),
               _("Days the box was opened and its letters handled on time ÷ working days."), (RoleCode.SUPERVISOR,),
               pending=_("Suggestion-box letters are recorded once the inbound-channels module lands.")),
    Definition(C.CALLBACK_ALL, {}, 1.0, "rate", _("Report facts: complaints and repairs resolved, callbacks"),
               _("Complaints and repair orders resolved in the period with a completed callback ÷ complaints and "
                 "repair orders resolved in the period."), (RoleCode.SUPERVISOR,)),
    Definition(C.CALLBACK_SAMPLING, {"sample_percent": Param("rate", 0.10, _("sample share"), 0, 1),
                                     "onsite_percent": Param("rate", 0.30, _("on-site share of the sample"), 0, 1)},
               1.0, "rate", _("Sampled callbacks and their attempts (signature)"),
               _("Sampled callbacks drawn in the period that must be done on site, completed with an on-site "
                 "attempt that reached the customer and carries a signature ÷ those required on site."),
               (RoleCode.SUPERVISOR,)),
    Definition(C.COMPLAINT_CLOSED_3D, {"hours": Param("int", 72, _("hours"), 1, 10_000)}, 1.0, "rate",
               _("Report facts: complaints received; the complaint SLA policy's resolution target"),
               _("Complaints received in the period resolved within the complaint SLA policy's resolution target "
                 "(calendar time) ÷ complaints received, cancelled excluded."),
               (RoleCode.MANAGER,), sourced=("hours",)),
    Definition(C.SATISFACTION_95, {"min_rate": Param("rate", 0.95, _("satisfaction per service item"), 0, 1)},
               1.0, "rate", _("Survey campaigns ended in the period: valid answers per service item"),
               _("Service items whose satisfaction rate (valid answers at or above the campaign's satisfied level ÷ "
                 "valid answers, campaigns ended in the period) reaches the minimum ÷ service items measured."),
               (RoleCode.MANAGER, RoleCode.DIRECTOR)),
    Definition(C.SURVEY_TWICE_YEARLY, {"per_year": Param("int", 2, _("campaigns per year"), 1, 12),
                                       "plan_weeks": Param("int", 4, _("planned at least (weeks before due)"), 0, 26)},
               2, "count", _("Survey campaigns (not drafts) started in the 12 months up to the period's end"),
               _("Campaigns started in the 12 months up to the end of the period; the next one is due a year ÷ "
                 "campaigns per year after the latest start."), (RoleCode.SUPERVISOR, RoleCode.MANAGER)),
    Definition(C.QA_WEEKLY, {"due_weekday": Param("int", 4, _("done by weekday (0 = Monday)"), 0, 6),
                             "due_time": Param("time", "12:00", _("done by time"))}, 1.0, "rate",
               _("QA checks sampled per week"),
               _("QA checks of the weeks starting in the period scored by the due day and time of their week ÷ QA "
                 "checks sampled for those weeks (per week and supervisor in the records)."),
               (RoleCode.SUPERVISOR, RoleCode.QA)),
    Definition(C.REPORT_CADENCE, {"weekly": Param("int", 1, _("weekly schedules required"), 0, 10),
                                  "monthly": Param("int", 1, _("monthly schedules required"), 0, 10)}, 1.0, "rate",
               _("Report schedules and generated files (complaint, inquiry, business-change reports)"),
               _("Periods of the active complaint, inquiry and business-change schedules due in the period whose "
                 "file was generated on its day ÷ periods due."), (RoleCode.SUPERVISOR, RoleCode.MANAGER)),
    Definition(C.ANALYSIS_CADENCE, {"weekly": Param("int", 1, _("weekly schedules required"), 0, 10),
                                    "monthly": Param("int", 1, _("monthly schedules required"), 0, 10),
                                    "quarterly": Param("int", 1, _("quarterly schedules required"), 0, 10),
                                    "annual": Param("int", 1, _("annual schedules required"), 0, 10)}, 1.0, "rate",
               _("Report schedules and generated files (service analysis)"),
               _("Periods of the active service-analysis schedules due in the period whose file was generated on "
                 "its day ÷ periods due."), (RoleCode.MANAGER, RoleCode.DIRECTOR)),
    Definition(C.SITE_WALKS, {"manager_per_week": Param("int", 1, _("manager walks per week"), 0, 20),
                              "environment_per_week": Param("int", 3, _("environment supervisor walks per week"), 0, 20),
                              "deputy_per_day": Param("int", 1, _("deputy walks per day"), 0, 10)}, 1.0, "rate",
               _("Patrol rounds (patrols)"), _("Site walks done ÷ walks required per role and week."),
               (RoleCode.MANAGER,), pending=_("Site walks are recorded once the patrols module lands.")),
    Definition(C.KPI_MANAGER, {"template": Param("code", "CS-MANAGER-Q", _("scorecard template"))}, 1.0, "rate",
               _("KPI scorecards of the quarters ended in the period"),
               _("Active staff with the template's role × quarters ended in the period whose scorecard is signed "
                 "off ÷ those due."), (RoleCode.DIRECTOR,)),
    Definition(C.KPI_INTAKE_SUPERVISOR, {"template": Param("code", "CS-INTAKE-SUPERVISOR-Q", _("scorecard template"))},
               1.0, "rate", _("KPI scorecards of the quarters ended in the period"),
               _("Active staff with the template's role × quarters ended in the period whose scorecard is signed "
                 "off ÷ those due."), (RoleCode.MANAGER,)),
)}

ORDER = [c.value for c in C]


def default_parameters(code: str) -> dict:
    return {name: p.default for name, p in DEFINITIONS[code].params.items()}
