"""The per-type reports: the complaint monthly report, the inquiry and the business-change report."""

from __future__ import annotations

from django.utils import timezone

from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors.drilldown import drill_params, drill_url
from kefu.reports.selectors.figures import (
    _category_label,
    _complaint_rate,
    _counts,
    _group,
    _labels,
    _rate,
    clock_counts,
    resolved_counts,
)
from kefu.reports.selectors.scope import Scope, _facts, _report_transaction, require_report_actor
from kefu.workorders.choices import OPEN_STATUSES, Channel, WorkOrderType


@_report_transaction
def type_report(*, actor: Actor, period: Period, scope: Scope, type: str, now=None) -> dict:
    """The figures a complaint / inquiry / business-change report asks for, for one type."""

    require_report_actor(actor)
    now = now or timezone.now()
    facts = _facts(actor, scope).filter(type=type)
    c = metrics.fact_condition_q

    def dp(basis="received", condition="all", kind="", **extra):
        return drill_params(period=period, scope=scope, basis=basis, condition=condition, kind=kind, type=type,
                            **extra)

    received = facts.filter(metrics.basis_q("received", period, now))
    counts = _counts(received, {n: c(n, period, now) for n in (
        "all", "not_cancelled", "fcr", "ever_resolved", "reopened", "repeat_complaint", "closed_3d")})
    report = {"type": type, "total": counts["all"], "total_url": drill_url(dp()),
              "valid": counts["not_cancelled"], "valid_url": drill_url(dp(condition="not_cancelled")),
              "resolved": counts["ever_resolved"], "resolved_url": drill_url(dp(condition="ever_resolved"))}
    by_category = _group(received, "category__code")
    from kefu.workorders.models import Category

    names = {code: (name, name_en) for code, name, name_en in Category.objects.filter(
        code__in=[k for k, _n in by_category]).values_list("code", "name", "name_en")}
    running, rows = 0, []
    for code, n in by_category:
        running += n
        rows.append({"code": code, "label": _category_label(*names.get(code, (code, ""))), "count": n,
                     "cumulative_share": round(running / counts["all"], 4), "url": drill_url(dp(category=code))})
    report["by_category"] = rows
    channel_labels = _labels(Channel.choices)
    report["by_channel"] = [{"code": k, "label": channel_labels.get(k, k), "count": n,
                             "url": drill_url(dp(channel=k))} for k, n in _group(received, "channel")]
    report["fcr_rate"] = _rate(counts["fcr"], counts["not_cancelled"], dp(condition="fcr"),
                               dp(condition="not_cancelled"))
    report["reopen_rate"] = _rate(counts["reopened"], counts["ever_resolved"], dp(condition="reopened"),
                                  dp(condition="ever_resolved"))
    clock_rows = clock_counts(scoped=facts, period=period, now=now)
    for kind in metrics.CLOCK_KINDS:
        row = clock_rows[kind]
        report[f"{kind}_on_time_rate"] = _rate(row["decided"] - row["breached"], row["decided"],
                                               dp("clock", "sla_met", kind), dp("clock", "all", kind))
    open_count = facts.filter(status__in=OPEN_STATUSES).count()
    report["open_now"] = open_count
    report["open_url"] = drill_url(drill_params(period=period, scope=scope, basis="open", type=type))
    if type == WorkOrderType.COMPLAINT:
        report["by_level"] = [{"level": lv, "count": n, "url": drill_url(dp(level=lv))}
                              for lv, n in sorted(_group(received, "complaint_level"), key=lambda r: r[0] or 0)]
        report["repeat_complaint_rate"] = _rate(counts["repeat_complaint"], counts["not_cancelled"],
                                                dp(condition="repeat_complaint"), dp(condition="not_cancelled"))
        report["closed_3d_rate"] = _rate(counts["closed_3d"], counts["not_cancelled"], dp(condition="closed_3d"),
                                         dp(condition="not_cancelled"))
        report["complaint_rate"] = _complaint_rate(scope=scope, complaints=counts["not_cancelled"],
                                                   url=drill_url(dp(condition="not_cancelled")))
        rc = resolved_counts(facts.filter(metrics.basis_q("resolved", period, now)), period=period, now=now)
        report["callback_coverage"] = _rate(rc["callback_completed"], rc["all"],
                                            dp("resolved", "callback_completed"), dp("resolved"))
        report["callback_satisfaction_rate"] = _rate(rc["callback_satisfied"], rc["callback_completed"],
                                                     dp("resolved", "callback_satisfied"),
                                                     dp("resolved", "callback_completed"))
        report["satisfaction_rate"] = _rate(rc["satisfied"], rc["rated"], dp("resolved", "satisfied"),
                                            dp("resolved", "rated"))
        report["satisfaction_rate"]["response_rate"] = _rate(rc["rated"], rc["all"], dp("resolved", "rated"),  # type: ignore[index]  # values of several types in one dict or variable
                                                             dp("resolved"))
    return report
