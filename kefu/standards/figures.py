"""Each service standard's figure over a period and scope, computed from the records of the apps
that own them — read through their selectors and definitions, never copied: report facts and the
metrics definitions (callbacks, 3-day closure), SLA clocks (walk-in dispatch), callbacks and their
attempts (sampling), survey campaigns and answers, QA checks, KPI scorecards, report schedules
and their generated files. Every figure has a numerator, a denominator, a status and the records
behind it (`records`, the board's drill-down: each row says whether it counts).

Status: `no_data` when nothing was measured (or the module that records it is not built yet);
`met` when the value reaches the target; below it, `at_risk` while the period is still running
(or, for the forward-looking standards, when the next occurrence is close and not prepared) and
`missed` once it has ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors import Scope
from kefu.standards.choices import StandardCode as C
from kefu.standards.choices import Status
from kefu.standards.registry import DEFINITIONS
from kefu.standards.selectors import RuleInForce, site_department_path

RECORDS_CAP = 2000


@dataclass
class Context:
    actor: Actor
    period: Period
    scope: Scope
    now: dt.datetime
    rule: RuleInForce
    # Shared between the standards of one board (the facts' counts are one scan for all of them).
    shared: dict = field(default_factory=dict)

    @property
    def params(self) -> dict:
        return self.rule.parameters

    @property
    def target(self) -> float:
        return float(self.rule.target)

    @property
    def open(self) -> bool:
        """The period has not ended yet: a shortfall may still be made good."""
        return self.period.until > self.now

    @property
    def today(self) -> dt.date:
        return timezone.localtime(self.now, ZoneInfo(self.period.timezone)).date()


def _result(ctx: Context, numerator: int, denominator: int, *, detail: str = "", records=None,
            extra_risk: bool = False, rule: dict | None = None) -> dict:
    """A rate figure: value = numerator ÷ denominator (4 places) and its status."""
    if not denominator:
        value, status = None, Status.NO_DATA
    else:
        value = round(numerator / denominator, 4)
        if value + 1e-9 >= ctx.target:
            status = Status.AT_RISK if extra_risk else Status.MET
        else:
            status = Status.AT_RISK if ctx.open else Status.MISSED
    return {"value": value, "numerator": numerator, "denominator": denominator, "status": status,
            "detail": detail, "records": records, "rule": rule}


def _facts(ctx: Context):
    from kefu.reports.models import OrderFact
    from kefu.workorders.selectors import visibility_q

    return OrderFact.objects.filter(visibility_q(ctx.actor) & ctx.scope.q())


def _order_scope_q(ctx: Context, prefix: str) -> Q:
    """The scope's condition on records reached through `prefix` + the work order."""
    q = Q()
    if ctx.scope.site_id:
        q &= Q(**{f"{prefix}site_id": ctx.scope.site_id})
    if ctx.scope.department_id:
        path = ctx.scope.department_path
        q &= Q(**{f"{prefix}team__path__startswith": path}) | Q(**{f"{prefix}intake_department__path__startswith": path})
    return q


def _order_rows(facts, counted: Q, columns: tuple[str, ...]) -> list[dict]:
    from django.db.models import BooleanField, Case, Value, When

    rows = (facts.annotate(counted=Case(When(counted, then=Value(True)), default=Value(False),
                                        output_field=BooleanField()))
            .order_by("received_at").values("work_order_id", "work_order__number", "counted", *columns)[:RECORDS_CAP])
    return [{"id": r["work_order_id"], "label": r["work_order__number"], "counted": r["counted"],
             "url": f"/work-orders/{r['work_order_id']}/", "cells": [r[c] for c in columns]} for r in rows]


# --- one function per standard ----------------------------------------------------------------------

def _pending(ctx: Context, code: str, records: bool) -> dict:
    return {"value": None, "numerator": 0, "denominator": 0, "status": Status.NO_DATA,
            "detail": str(DEFINITIONS[code].pending), "records": [] if records else None}


def walk_in_3min(ctx: Context, records: bool) -> dict:
    from kefu.sla.selectors import on_time_counts, on_time_order_q, walk_in_policy
    from kefu.workorders.models import WorkOrder

    policy = walk_in_policy()
    rule = {"minutes": policy.dispatch_minutes if policy else None}
    orders = _facts(ctx).filter(channel="walk_in").values("pk")
    row = on_time_counts(kinds=["dispatch"], start=ctx.period.since, end=ctx.period.until, now=ctx.now,
                         orders=orders)["dispatch"]
    rows = None
    if records:
        since, until = ctx.period.since, ctx.period.until
        qs = (WorkOrder.objects.filter(on_time_order_q(kind="dispatch", start=since, end=until, now=ctx.now,
                                                       which="decided"), pk__in=orders)
              .annotate(late=Q(on_time_order_q(kind="dispatch", start=since, end=until, now=ctx.now,
                                               which="breached"))).order_by("received_at")
              .values("pk", "number", "received_at", "late")[:RECORDS_CAP])
        rows = [{"id": r["pk"], "label": r["number"], "counted": not r["late"], "url": f"/work-orders/{r['pk']}/",
                 "cells": [r["received_at"]]} for r in qs]
    detail = _("Policy: %(name)s") % {"name": policy.name} if policy else _("No walk-in SLA policy is active.")
    return _result(ctx, row["decided"] - row["breached"], row["decided"], detail=detail, records=rows, rule=rule)


def _fact_bases(ctx: Context) -> dict[str, tuple[Q, Q]]:
    """(base, counted) on OrderFact rows of the standards read from the report facts."""
    return {
        "callback_all": (metrics.basis_q("resolved", ctx.period, ctx.now) & Q(type__in=metrics.CALLBACK_TYPES),
                         metrics.FACT_FLAGS["callback_completed"]),
        "complaint_closed_3d": (metrics.basis_q("received", ctx.period, ctx.now)
                                & metrics.fact_condition_q("complaint", ctx.period, ctx.now),
                                metrics.fact_condition_q("closed_3d", ctx.period, ctx.now)),
    }


def _fact_counts(ctx: Context, code: str) -> dict:
    """Numerator and denominator of every facts-based standard in one scan of the period's facts
    (received or resolved in it), computed once per board."""
    if "facts" not in ctx.shared:
        bases = _fact_bases(ctx)
        either = metrics.basis_q("received", ctx.period, ctx.now) | metrics.basis_q("resolved", ctx.period, ctx.now)
        aggregates = {}
        for name, (base, counted) in bases.items():
            aggregates[f"{name}__d"] = Count("pk", filter=base)
            aggregates[f"{name}__n"] = Count("pk", filter=base & counted)
        row = _facts(ctx).filter(either).aggregate(**aggregates)
        ctx.shared["facts"] = {name: {"d": row[f"{name}__d"], "n": row[f"{name}__n"]} for name in bases}
    return ctx.shared["facts"][code]


def callback_all(ctx: Context, records: bool) -> dict:
    base_q, counted = _fact_bases(ctx)["callback_all"]
    base = _facts(ctx).filter(base_q)
    counts = _fact_counts(ctx, "callback_all")
    rows = _order_rows(base, counted, ("type", "resolved_at")) if records else None
    return _result(ctx, counts["n"], counts["d"], records=rows)


def complaint_closed_3d(ctx: Context, records: bool) -> dict:
    minutes = metrics.complaint_close_minutes()
    base_q, counted = _fact_bases(ctx)["complaint_closed_3d"]
    base = _facts(ctx).filter(base_q)
    counts = _fact_counts(ctx, "complaint_closed_3d")
    rows = _order_rows(base, counted, ("received_at", "resolved_at")) if records else None
    from kefu.sla.selectors import complaint_policy

    policy = complaint_policy()
    detail = (_("Policy: %(name)s") % {"name": policy.name}) if policy else _("No complaint SLA policy: 72 hours.")
    return _result(ctx, counts["n"], counts["d"], detail=detail, records=rows,
                   rule={"hours": round(minutes / 60, 2)})


def callback_sampling(ctx: Context, records: bool) -> dict:
    from kefu.callbacks.choices import CallbackStatus, Method, Source
    from kefu.callbacks.models import Callback, CallbackAttempt, SamplingRun
    from kefu.callbacks.selectors import callback_visibility_q

    signed = Exists(CallbackAttempt.objects.filter(callback=OuterRef("pk"), method=Method.ON_SITE, reached=True)
                    .exclude(signature=""))
    base = Callback.objects.filter(callback_visibility_q(ctx.actor), _order_scope_q(ctx, "work_order__"),
                                   source=Source.SAMPLE, on_site_required=True,
                                   created_at__gte=ctx.period.since, created_at__lt=ctx.period.until)
    counted = Q(status=CallbackStatus.COMPLETED) & Q(signed)
    counts = base.aggregate(d=Count("pk"), n=Count("pk", filter=counted))
    sampled = SamplingRun.objects.filter(created_at__gte=ctx.period.since, created_at__lt=ctx.period.until)
    population = sum(sampled.values_list("population", flat=True))
    selected = sum(sampled.values_list("selected", flat=True))
    detail = _("Sampling runs in the period: %(selected)s of %(population)s resolved orders drawn "
               "(rule: %(share)s%%).") % {"selected": selected, "population": population,
                                          "share": round(float(ctx.params.get("sample_percent", 0.1)) * 100, 1)}
    rows = None
    if records:
        from django.db.models import BooleanField, Case, Value, When

        qs = (base.annotate(counted=Case(When(counted, then=Value(True)), default=Value(False),
                                         output_field=BooleanField()))
              .order_by("created_at").values("pk", "work_order__number", "status", "created_at", "counted")[:RECORDS_CAP])
        rows = [{"id": r["pk"], "label": r["work_order__number"] or f"#{r['pk']}", "counted": r["counted"],
                 "url": f"/callbacks/{r['pk']}/", "cells": [r["status"], r["created_at"]]} for r in qs]
    return _result(ctx, counts["n"], counts["d"], detail=detail, records=rows)


def satisfaction_95(ctx: Context, records: bool) -> dict:
    from kefu.surveys.models import Answer
    from kefu.surveys.selectors import (
        campaign_list_for_actor,
        campaigns_ended_in_q,
        invitation_site_q,
        valid_answer_q,
    )

    campaigns = campaign_list_for_actor(actor=ctx.actor).filter(campaigns_ended_in_q(ctx.period.start, ctx.period.end))
    if ctx.scope.department_id:
        campaigns = campaigns.filter(department__path__startswith=ctx.scope.department_path)
    answers = Answer.objects.filter(valid_answer_q(), response__campaign__in=campaigns.values("pk"))
    if ctx.scope.site_id:
        answers = answers.filter(invitation_site_q(ctx.scope.site_id, "response__invitation__"))
    items = (answers.values("question__section__item__code", "question__section__item__name",
                            "question__section__item__name_en")
             .annotate(valid=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=F("response__campaign__satisfied_min"))))
             .order_by("question__section__item__code"))
    minimum = float(ctx.params.get("min_rate", 0.95))
    from kefu.core.i18n import localised

    rows, met = [], 0
    for item in items:
        rate = round(item["satisfied"] / item["valid"], 4) if item["valid"] else None
        ok = rate is not None and rate + 1e-9 >= minimum
        met += ok
        rows.append({"id": item["question__section__item__code"], "counted": ok, "url": "",
                     "label": localised(item["question__section__item__name"], item["question__section__item__name_en"]),
                     "cells": [item["satisfied"], item["valid"], rate]})
    return _result(ctx, met, len(rows), records=rows if records else None)


def survey_twice_yearly(ctx: Context, records: bool) -> dict:
    from kefu.surveys.choices import CampaignStatus
    from kefu.surveys.selectors import campaign_list_for_actor

    per_year = int(ctx.params.get("per_year", 2))
    plan_weeks = int(ctx.params.get("plan_weeks", 4))
    window_start = ctx.period.end - dt.timedelta(days=364)
    campaigns = campaign_list_for_actor(actor=ctx.actor)
    if ctx.scope.site_id:
        campaigns = campaigns.filter(Q(sites=ctx.scope.site_id) | Q(sites__isnull=True))
    path = site_department_path(ctx.scope) if ctx.scope.site_id else ctx.scope.department_path
    if path:
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
        campaigns = campaigns.filter(Q(department__path__startswith=path) | Q(department__path__in=ancestors))
    started = list(campaigns.exclude(status=CampaignStatus.DRAFT)
                   .filter(starts_on__gte=window_start, starts_on__lte=ctx.period.end).distinct()
                   .order_by("starts_on").values("pk", "name", "starts_on", "ends_on", "status"))
    latest = (campaigns.exclude(status=CampaignStatus.DRAFT).filter(starts_on__lte=ctx.today).distinct()
              .order_by("-starts_on").values_list("starts_on", flat=True).first())
    next_due = (latest + dt.timedelta(days=round(365 / per_year))) if latest else ctx.today
    planned = campaigns.filter(starts_on__gt=ctx.today).exists() or (
        latest is not None and campaigns.filter(status=CampaignStatus.DRAFT, starts_on__gt=latest).exists())
    soon = next_due - dt.timedelta(weeks=plan_weeks) <= ctx.today and not planned
    count = len(started)
    target = ctx.target
    if count + 1e-9 >= target:
        status = Status.AT_RISK if soon else Status.MET
    else:
        status = Status.AT_RISK if ctx.open else Status.MISSED
    rows = [{"id": c["pk"], "label": c["name"], "counted": True, "url": f"/surveys/{c['pk']}/",
             "cells": [c["starts_on"], c["ends_on"], c["status"]]} for c in started] if records else None
    detail = _("%(count)s campaigns from %(start)s to %(end)s; the next is due by %(due)s%(planned)s.") % {
        "count": count, "start": window_start, "end": ctx.period.end, "due": next_due,
        "planned": _(" (planned)") if planned else _(" (not planned yet)")}
    return {"value": count, "numerator": count, "denominator": per_year, "status": status, "detail": detail,
            "records": rows, "next_due": next_due.isoformat(), "rule": None}


def qa_deadline(week_start: dt.date, params: dict, tz: str) -> dt.datetime:
    """When a week's QA checks are due: the rule's weekday and time of that week, site zone."""
    hour, minute = (int(x) for x in str(params.get("due_time", "12:00")).split(":"))
    day = week_start + dt.timedelta(days=int(params.get("due_weekday", 4)))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(tz))


def qa_weekly(ctx: Context, records: bool) -> dict:
    from kefu.quality.choices import CheckStatus
    from kefu.quality.models import QACheck
    from kefu.quality.selectors import visibility_q

    checks = QACheck.objects.filter(visibility_q(ctx.actor), week_start__gte=ctx.period.start,
                                    week_start__lte=ctx.period.end)
    if ctx.scope.site_id:
        checks = checks.filter(work_order__site_id=ctx.scope.site_id)
    if ctx.scope.department_id:
        checks = checks.filter(department__path__startswith=ctx.scope.department_path)
    groups: dict[tuple, dict] = {}
    open_pending = False
    for week, department, name, name_en, status, scored_at in checks.values_list(
            "week_start", "department_id", "department__name", "department__name_en", "status", "scored_at"):
        deadline = qa_deadline(week, ctx.params, ctx.period.timezone)
        done = status != CheckStatus.PENDING and scored_at is not None and scored_at <= deadline
        if deadline > ctx.now and not done:
            open_pending = open_pending or status == CheckStatus.PENDING
            continue  # not due yet
        group = groups.setdefault((week, department), {"due": 0, "done": 0, "name": (name, name_en)})
        group["due"] += 1
        group["done"] += done
    from kefu.core.i18n import localised

    numerator = sum(g["done"] for g in groups.values())
    denominator = sum(g["due"] for g in groups.values())
    rows = [{"id": f"{week}:{dep}", "label": f"{week:%Y-%m-%d} · {localised(*g['name'])}", "counted": g["done"] == g["due"],
             "url": f"/quality/?week={week:%Y-%m-%d}", "cells": [g["done"], g["due"]]}
            for (week, dep), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1]["name"]))] if records else None
    result = _result(ctx, numerator, denominator, records=rows, extra_risk=open_pending)
    if result["status"] == Status.NO_DATA and open_pending:
        result["status"] = Status.AT_RISK
    return result


def cadence_periods(*, frequency: str, start: dt.date, end: dt.date):
    """(period start, period end, due day) of the `frequency` periods whose due day is in [start, end]."""
    from kefu.reports.services import _period_end, _period_start_of, schedule_due_day

    period_start = _period_start_of(frequency, start - dt.timedelta(days=400 if frequency == "annual" else 100))
    while True:
        period_end = _period_end(frequency, period_start)
        due = schedule_due_day(frequency=frequency, period_end=period_end)
        if due > end:
            return
        if due >= start:
            yield period_start, period_end, due
        period_start = period_end + dt.timedelta(days=1)


def _cadence(ctx: Context, records: bool, kinds: tuple[str, ...], frequencies: tuple[str, ...]) -> dict:
    from kefu.reports.models import GeneratedReport
    from kefu.reports.selectors import schedule_list_for_actor
    from kefu.reports.services import SCHEDULE_HOUR

    schedules = [s for s in schedule_list_for_actor(actor=ctx.actor).filter(report__in=kinds, is_active=True)
                 if not ctx.scope.site_id or s.scope.get("site") in (None, ctx.scope.site_id)]
    files = {(g.schedule_id, g.period_start, g.period_end): g.created_at for g in GeneratedReport.objects.filter(
        schedule__in=[s.pk for s in schedules], period_start__gte=ctx.period.start - dt.timedelta(days=400))}
    tz = ZoneInfo(ctx.period.timezone)
    rows, numerator, denominator, late_today = [], 0, 0, False
    for schedule in schedules:
        for p_start, p_end, due in cadence_periods(frequency=schedule.frequency, start=ctx.period.start,
                                                   end=ctx.period.end):
            due_at = dt.datetime.combine(due, dt.time(SCHEDULE_HOUR), tzinfo=tz)
            if due_at > ctx.now or due_at < schedule.created_at:
                continue  # not due yet, or due before the schedule existed
            made = files.get((schedule.pk, p_start, p_end))
            on_time = made is not None and timezone.localtime(made, tz).date() == due
            if made is None and due == ctx.today:
                late_today = True
                continue  # still its day
            denominator += 1
            numerator += on_time
            rows.append({"id": f"{schedule.pk}:{p_start}", "label": schedule.name, "counted": on_time,
                         "url": "/reports/schedules/", "cells": [schedule.get_frequency_display(), f"{p_start} – {p_end}",
                                                                 due, timezone.localtime(made, tz) if made else None]})
    required = {f: int(ctx.params.get(f, 0)) for f in frequencies}
    have = {f: sum(1 for s in schedules if s.frequency == f) for f in frequencies}
    missing = [f for f in frequencies if have[f] < required[f]]
    detail = _("Cadences without an active schedule: %(list)s.") % {"list": ", ".join(missing)} if missing else ""
    result = _result(ctx, numerator, denominator, detail=detail, records=rows if records else None,
                     extra_risk=late_today)
    if missing and result["status"] in (Status.MET, Status.NO_DATA):
        result["status"] = Status.AT_RISK if ctx.open else Status.MISSED
    return result


def report_cadence(ctx: Context, records: bool) -> dict:
    return _cadence(ctx, records, ("complaint", "inquiry", "business_change"), ("weekly", "monthly"))


def analysis_cadence(ctx: Context, records: bool) -> dict:
    return _cadence(ctx, records, ("service_analysis",), ("weekly", "monthly", "quarterly", "annual"))


def quarters_ended(start: dt.date, end: dt.date, today: dt.date) -> list[tuple[int, int]]:
    """(year, quarter) of the quarters that ended inside [start, end] and before today."""
    out = []
    for year in range(start.year, end.year + 1):
        for quarter in (1, 2, 3, 4):
            q_end = (dt.date(year + (quarter == 4), quarter * 3 % 12 + 1, 1) - dt.timedelta(days=1))
            if start <= q_end <= end and q_end < today:
                out.append((year, quarter))
    return out


def _kpi(ctx: Context, records: bool) -> dict:
    from kefu.kpi.choices import ScorecardStatus
    from kefu.kpi.models import Scorecard, ScorecardTemplate
    from kefu.kpi.selectors import visibility_q as kpi_visibility_q
    from kefu.org.models import Staff

    template = ScorecardTemplate.objects.filter(code=ctx.params.get("template", "")).first()
    if template is None:
        return {"value": None, "numerator": 0, "denominator": 0, "status": Status.NO_DATA, "records": [] if records else None,
                "detail": _("No scorecard template with code %(code)s.") % {"code": ctx.params.get("template", "")}}
    quarters = quarters_ended(ctx.period.start, ctx.period.end, ctx.today)
    staff = Staff.objects.filter(is_active=True, user__is_active=True, role__code=template.role)
    path = site_department_path(ctx.scope) if ctx.scope.site_id else ctx.scope.department_path
    if path:
        staff = staff.filter(department__path__startswith=path)
    people = list(staff.order_by("employee_no").values_list("user_id", "display_name"))
    cards = {(c.person_id, c.year, c.quarter): c for c in Scorecard.objects.filter(
        kpi_visibility_q(ctx.actor), template=template, person_id__in=[p for p, _n in people],
        year__in={y for y, _q in quarters})}
    rows, numerator = [], 0
    for year, quarter in quarters:
        for person, name in people:
            card = cards.get((person, year, quarter))
            signed = card is not None and card.status == ScorecardStatus.SIGNED_OFF
            numerator += signed
            rows.append({"id": f"{person}:{year}Q{quarter}", "label": name, "counted": signed,
                         "url": f"/kpi/scorecards/{card.pk}/" if card else "",
                         "cells": [f"{year} Q{quarter}", card.status if card else "—",
                                                  card.total_score if card else None]})
    return _result(ctx, numerator, len(rows), records=rows if records else None,
                   detail=template.display_name)


FIGURES: dict[str, Callable[[Context, bool], dict]] = {
    C.WALK_IN_3MIN: walk_in_3min, C.CALLBACK_ALL: callback_all, C.CALLBACK_SAMPLING: callback_sampling,
    C.COMPLAINT_CLOSED_3D: complaint_closed_3d, C.SATISFACTION_95: satisfaction_95,
    C.SURVEY_TWICE_YEARLY: survey_twice_yearly, C.QA_WEEKLY: qa_weekly, C.REPORT_CADENCE: report_cadence,
    C.ANALYSIS_CADENCE: analysis_cadence, C.KPI_MANAGER: _kpi, C.KPI_INTAKE_SUPERVISOR: _kpi,
}

def record_columns(code: str) -> list[str]:
    """Headers of the drill-down table after the record's label and before "counts"."""
    columns: dict[str, list] = {
        C.WALK_IN_3MIN: [_("Received")],
        C.CALLBACK_ALL: [_("Type"), _("Resolved")],
        C.COMPLAINT_CLOSED_3D: [_("Received"), _("Resolved")],
        C.CALLBACK_SAMPLING: [_("Status"), _("Drawn")],
        C.SATISFACTION_95: [_("Satisfied"), _("Valid answers"), _("Rate")],
        C.SURVEY_TWICE_YEARLY: [_("Starts"), _("Ends"), _("Status")],
        C.QA_WEEKLY: [_("Done on time"), _("Due")],
        C.REPORT_CADENCE: [_("Frequency"), _("Period"), _("Due day"), _("Generated")],
        C.ANALYSIS_CADENCE: [_("Frequency"), _("Period"), _("Due day"), _("Generated")],
        C.KPI_MANAGER: [_("Quarter"), _("Status"), _("Total score")],
        C.KPI_INTAKE_SUPERVISOR: [_("Quarter"), _("Status"), _("Total score")],
    }
    return [str(c) for c in columns.get(code, [])]


def figure(*, code: str, ctx: Context, records: bool = False) -> dict:
    """The figure of one standard (and its records when asked)."""
    if DEFINITIONS[code].pending or code not in FIGURES:
        return _pending(ctx, code, records)
    return FIGURES[code](ctx, records)

