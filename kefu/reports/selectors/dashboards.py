"""The dashboard: today's intake, open orders by state, due and overdue, callbacks due, the
satisfaction trend and the top categories."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors.drilldown import drill_params, drill_url
from kefu.reports.selectors.figures import _category_label, _counts, _labels, _zone
from kefu.reports.selectors.scope import (
    Scope,
    _facts,
    _report_transaction,
    _scoped,
    require_report_actor,
    site_timezone,
)
from kefu.workorders.choices import OPEN_STATUSES, Status, WorkOrderType


@_report_transaction
def dashboard(*, actor: Actor, scope: Scope, now=None) -> dict:
    """Today's intake, open by state, due/overdue, callbacks due, satisfaction trend, top categories."""
    require_report_actor(actor)
    now = now or timezone.now()
    tz = site_timezone(scope)
    today = timezone.localtime(now, timezone=_zone(tz)).date()
    period = Period(today, today, tz)
    scoped = _scoped(actor, scope)
    today_counts = _counts(scoped.filter(metrics.basis_q("received", period, now)),
                           {"all": Q(), **{t: Q(type=t) for t in WorkOrderType.values}})
    status_labels = _labels(Status.choices)
    by_status = dict(scoped.filter(status__in=OPEN_STATUSES).values_list("status").annotate(n=Count("pk"))
                     .values_list("status", "n"))
    open_period = Period(today, today, tz)
    due = _counts(scoped.filter(status__in=OPEN_STATUSES, sla_due_at__isnull=False), {
        "overdue": Q(sla_due_at__lt=now), "due_today": Q(sla_due_at__gte=now, sla_due_at__lt=period.until)})
    result = {
        "today": today.isoformat(), "intake": today_counts["all"],
        "intake_url": drill_url(drill_params(period=period, scope=scope, basis="received")),
        "intake_by_type": [{"code": t, "label": str(WorkOrderType(t).label), "count": today_counts[t]}
                           for t in WorkOrderType.values if today_counts[t]],
        "open_by_status": [{"code": s, "label": status_labels[s], "count": by_status.get(s, 0),
                            "url": drill_url(drill_params(period=open_period, scope=scope, basis="open", status=s))} for s in OPEN_STATUSES],
        "overdue": due["overdue"], "due_today": due["due_today"],
    }
    from kefu.callbacks.models import Callback
    from kefu.callbacks.selectors import callback_visibility_q

    result["callbacks_due"] = Callback.objects.filter(callback_visibility_q(actor), status="open",
                                                      due_at__lt=period.until).count()
    result["satisfaction_trend"] = satisfaction_trend(actor=actor, scope=scope, today=today, tz=tz, now=now)
    month = Period(today - dt.timedelta(days=29), today, tz)
    result["top_categories"] = [
        {"code": code, "label": _category_label(name, name_en), "count": n,
         "url": drill_url(drill_params(period=month, scope=scope, basis="received", category=code))}
        for code, name, name_en, n in _facts(actor, scope).filter(metrics.basis_q("received", month, now))
        .values_list("category__code", "category__name", "category__name_en").annotate(n=Count("pk"))
        .order_by("-n", "category__code")[:8]]
    return result


def satisfaction_trend(*, actor: Actor, scope: Scope, today: dt.date, tz: str, now, weeks: int = 8) -> list[dict]:
    """Satisfaction rate of ratings per week (orders resolved that week), last `weeks` weeks."""
    from django.db.models.functions import TruncWeek

    start = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    period = Period(start, today, tz)
    rows = (_facts(actor, scope).filter(metrics.basis_q("resolved", period, now))
            .annotate(week=TruncWeek("resolved_at", tzinfo=_zone(tz))).values("week")
            .annotate(n_rated=Count("pk", filter=metrics.fact_condition_q("rated", period, now)),
                      n_satisfied=Count("pk", filter=metrics.fact_condition_q("satisfied", period, now)),
                      n_resolved=Count("pk")).order_by("week"))
    by_week = {row["week"].date() if hasattr(row["week"], "date") else row["week"]:
               {"rated": row["n_rated"], "satisfied": row["n_satisfied"], "resolved": row["n_resolved"]}
               for row in rows}
    out = []
    for i in range(weeks):
        week = start + dt.timedelta(days=7 * i)
        row = by_week.get(week, {"rated": 0, "satisfied": 0, "resolved": 0})
        out.append({"week": week.isoformat(), "resolved": row["resolved"], "rated": row["rated"],
                    "satisfied": row["satisfied"],
                    "rate": round(row["satisfied"] / row["rated"], 4) if row["rated"] else None})
    return out
