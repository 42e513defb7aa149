"""Report reads: the service analysis, the complaint / inquiry / business-change reports, the duty
log, the dashboard and the drill-down lists behind every figure — always scoped to the orders the
actor may see (kefu.workorders.selectors.visibility_q).

Every figure is counted in the database with conditional aggregates over one basis (see
metrics.py); the drill-down list of a figure applies the same basis and condition, so its count is
the figure. Query budget of one service analysis: ~15 queries (one for the survey campaigns), whatever
the size of the period.

One module per report, on shared floors: `scope` (who may read, scope, period, the transaction),
`drilldown` (figure URLs and the lists behind them), `figures` (shared figure helpers), then
`analysis` (service analysis and comparison), `campaigns` (survey campaign figures), `per_type`
(complaint / inquiry / business-change reports), `duty` (duty log), `dashboards` (dashboard) and
`generated` (generated report files) and `schedules` (report schedules as their readers see them). This package re-exports what callers use.
"""

from kefu.reports.selectors.analysis import (
    BREAKDOWN_COLUMNS,
    COMPARED,
    backlog,
    service_analysis,
    service_analysis_compared,
)
from kefu.reports.selectors.campaigns import campaign_satisfaction, survey_drill_params, survey_drill_url
from kefu.reports.selectors.dashboards import dashboard, satisfaction_trend
from kefu.reports.selectors.drilldown import (
    DRILL_EXTRA,
    drill_orders,
    drill_params,
    drill_survey_records,
    drill_url,
)
from kefu.reports.selectors.duty import DUTY_ROWS, SHIFTS, duty_log, shift_window
from kefu.reports.selectors.figures import RESOLVED_CONDITIONS, clock_counts, resolved_counts
from kefu.reports.selectors.generated import generated_for_actor, generated_get_for_actor
from kefu.reports.selectors.per_type import type_report
from kefu.reports.selectors.schedules import (
    SCOPE_KEYS,
    schedule_get_for_actor,
    schedule_list_for_actor,
    schedule_may_change,
    schedule_scope_held_back,
    schedule_scope_labels,
)
from kefu.reports.selectors.scope import (
    MAX_PERIOD_DAYS,
    REPORT_DENIED_ROLES,
    REPORT_WORK_MEM,
    Scope,
    month_period,
    parse_period,
    parse_scope,
    require_report_actor,
    scope_options,
    site_timezone,
)

__all__ = [
    "BREAKDOWN_COLUMNS", "COMPARED", "DRILL_EXTRA", "DUTY_ROWS", "MAX_PERIOD_DAYS", "REPORT_DENIED_ROLES",
    "REPORT_WORK_MEM", "RESOLVED_CONDITIONS", "SCOPE_KEYS", "SHIFTS", "Scope", "backlog", "campaign_satisfaction", "clock_counts",
    "dashboard", "drill_orders", "drill_params", "drill_survey_records", "drill_url", "duty_log",
    "generated_for_actor", "generated_get_for_actor", "month_period", "parse_period", "parse_scope",
    "require_report_actor", "resolved_counts", "satisfaction_trend", "schedule_get_for_actor",
    "schedule_list_for_actor", "schedule_may_change", "schedule_scope_held_back", "schedule_scope_labels", "scope_options", "service_analysis",
    "service_analysis_compared", "shift_window", "site_timezone", "survey_drill_params", "survey_drill_url",
    "type_report",
]
