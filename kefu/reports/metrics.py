"""What every report figure means, as database conditions: the one place the figures and their
drill-down lists both read, so a list's count cannot drift from the number it explains.

A figure is (basis, condition): the basis picks the orders a period is about (received in it,
resolved in it, open now, or having an SLA clock decided in it); the condition picks the ones
counted. Definitions in words are in docs/metrics.md and `DEFINITIONS` below (shown beside the
numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kefu.workorders.choices import OPEN_STATUSES, Status, WorkOrderType
from kefu.workorders.models import WorkOrder

REPEAT_WINDOW_DAYS = 30
# A rating counts as satisfied when its three 1–5 star scores average 4 or more (满意/非常满意).
SATISFIED_STAR_SUM = 12
# DOMAIN.md: 100% of complaints and repair orders are called back (应回访).
CALLBACK_TYPES = (WorkOrderType.COMPLAINT, WorkOrderType.REPAIR)
POSITIVE_OUTCOMES = ("very_satisfied", "satisfied")
CLOCK_KINDS = ("first_response", "resolution")
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)
# Open backlog age buckets (calendar days since received), bounds in hours.
AGE_BUCKETS = (("lt1d", 0, 24), ("1to3d", 24, 72), ("3to7d", 72, 168), ("gt7d", 168, None))
COMPLAINT_CLOSE_HOURS = 72  # 抱怨单 3 天封闭 (calendar time) when no complaint SLA policy sets a target

BASES = ("received", "resolved", "open", "clock")


@dataclass(frozen=True)
class Period:
    """Dates [start, end] inclusive in a time zone → the aware half-open interval [since, until)."""

    start: dt.date
    end: dt.date
    timezone: str = "Asia/Shanghai"

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=ZoneInfo(self.timezone))

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(self.timezone))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int | None:
        """How many whole calendar months the period covers (a month, a quarter, a year, or any run
        of whole months from a 1st to a month's last day), or None when it is not whole months."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def kind(self) -> str:
        """month, quarter (a calendar quarter), year (a calendar year), months (other whole months),
        week (Monday to Sunday) or custom."""
        months = self.months
        if months == 1:
            return "month"
        if months == 3 and self.start.month % 3 == 1:
            return "quarter"
        if months == 12 and self.start.month == 1:
            return "year"
        if months:
            return "months"
        if self.days == 7 and self.start.weekday() == 0:
            return "week"
        return "custom"

    def previous(self) -> Period:
        """The period to compare with: whole calendar months → as many whole months just before (a
        month → the previous calendar month, December → November, March → February whatever its
        length; a quarter → the previous quarter; a year → the previous year); anything else (a
        week, a custom range) → the days of the same length just before."""
        months = self.months
        if months:
            index = self.start.year * 12 + self.start.month - 1 - months
            start = dt.date(index // 12, index % 12 + 1, 1)
            return Period(start, self.start - dt.timedelta(days=1), self.timezone)
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.timezone)

    def last_year(self) -> Period:
        """The same dates a year earlier; whole months stay whole (February 2025 → 1–29 February 2024)."""
        if self.months:
            end = _minus_year(self.end.replace(day=1))
            end = (end + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            return Period(_minus_year(self.start), end, self.timezone)
        return Period(_minus_year(self.start), _minus_year(self.end), self.timezone)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- conditions on WorkOrder ---------------------------------------------------------------------

def _callbacks(**filters):
    from kefu.callbacks.models import Callback

    return Exists(Callback.objects.filter(work_order=OuterRef("pk"), **filters))


def _ratings(**filters):
    from kefu.callbacks.models import RatingLink

    return Exists(RatingLink.objects.filter(work_order=OuterRef("pk"), used_at__isnull=False, **filters))


def callbacks_installed() -> bool:
    import importlib.util

    from django.apps import apps

    return importlib.util.find_spec("kefu.callbacks") is not None and apps.is_installed("kefu.callbacks")


def clock_in_period_q(period: Period) -> Q:
    """SLA clocks that belong to the period. The clock conditions are the SLA app's (ADR 0007), so
    this report and the KPI on-time line count the same orders."""
    from kefu.sla.selectors import clock_in_period_q as in_period

    return in_period(start=period.since, end=period.until)


def clock_decided_q(now) -> Q:
    from kefu.sla.selectors import clock_decided_q as decided

    return decided(now=now)


def clock_breached_q(now) -> Q:
    from kefu.sla.selectors import clock_breached_q as breached

    return breached(now=now)


def _clocks(kind: str, period: Period, condition: Q):
    from kefu.sla.selectors import order_has_clock

    return order_has_clock(kind=kind, start=period.since, end=period.until, condition=condition)


def basis_q(basis: str, period: Period, now, kind: str = "") -> Q:
    if basis == "received":
        return Q(received_at__gte=period.since, received_at__lt=period.until)
    if basis == "resolved":
        return Q(resolved_at__gte=period.since, resolved_at__lt=period.until)
    if basis == "open":
        return Q(status__in=OPEN_STATUSES)
    if basis == "clock":
        return Q(_clocks(kind, period, clock_decided_q(now)))
    raise ValueError(basis)


def _repeat_complaint_q() -> Q:
    window = dt.timedelta(days=REPEAT_WINDOW_DAYS)

    def earlier(field):
        return Exists(WorkOrder.objects.filter(
            **{field: OuterRef(field)}, type=WorkOrderType.COMPLAINT, category_id=OuterRef("category_id"),
            received_at__lt=OuterRef("received_at"), received_at__gte=OuterRef("received_at") - window,
        ).exclude(status=Status.CANCELLED))

    return Q(type=WorkOrderType.COMPLAINT) & ~Q(status=Status.CANCELLED) & (
        (Q(customer__isnull=False) & Q(earlier("customer_id"))) | (Q(asset__isnull=False) & Q(earlier("asset_id"))))


def condition_q(name: str, period: Period, now, kind: str = "") -> Q:
    """The named condition (see docs/metrics.md). Unknown names raise KeyError."""
    if name == "all":
        return Q()
    if name == "not_cancelled":
        return ~Q(status=Status.CANCELLED)
    if name == "fcr":
        # Solved by the first-contact owner: never dispatched (dispatch sets the team), resolved,
        # never reopened.
        return Q(status__in=RESOLVED_STATUSES, team__isnull=True, reopen_count=0)
    if name == "ever_resolved":
        return Q(status__in=RESOLVED_STATUSES) | Q(reopen_count__gt=0)
    if name == "reopened":
        return Q(reopen_count__gt=0)
    if name == "complaint":
        return Q(type=WorkOrderType.COMPLAINT) & ~Q(status=Status.CANCELLED)
    if name == "repeat_complaint":
        return _repeat_complaint_q()
    if name == "closed_3d":
        return Q(type=WorkOrderType.COMPLAINT, status__in=RESOLVED_STATUSES,
                 resolved_at__lt=F("received_at") + dt.timedelta(minutes=complaint_close_minutes()))
    if name == "callback_due":
        return Q(type__in=CALLBACK_TYPES)
    if name == "callback_completed":
        return Q(type__in=CALLBACK_TYPES) & Q(_callbacks(status="completed"))
    if name == "callback_ended":
        return Q(type__in=CALLBACK_TYPES) & Q(_callbacks(status__in=["completed", "unreachable"]))
    if name == "callback_satisfied":
        return Q(type__in=CALLBACK_TYPES) & Q(_callbacks(status="completed", outcome__in=POSITIVE_OUTCOMES))
    if name == "rated":
        return Q(_ratings())
    if name == "satisfied":
        low = ratings_below()
        return Q(_ratings()) & ~Q(low)
    if name == "sla_decided":
        return Q(_clocks(kind, period, clock_decided_q(now)))
    if name == "sla_breached":
        return Q(_clocks(kind, period, clock_breached_q(now)))
    if name == "sla_met":
        return Q(_clocks(kind, period, clock_decided_q(now))) & ~Q(_clocks(kind, period, clock_breached_q(now)))
    for bucket, low, high in AGE_BUCKETS:
        if name == f"age_{bucket}":
            q = Q(received_at__lte=now - dt.timedelta(hours=low))
            if high is not None:
                q &= Q(received_at__gt=now - dt.timedelta(hours=high))
            return q
    raise KeyError(name)


def complaint_close_minutes() -> int:
    """The complaint sheet's closure limit (抱怨单 3 天封闭): the resolution target of the complaint
    SLA policy (kefu.sla.selectors.complaint_policy), counted in calendar time — one source of truth,
    so changing the policy changes the report. 72 hours when no policy sets one."""
    from kefu.sla.selectors import complaint_policy

    policy = complaint_policy()
    if policy is not None and policy.resolution_minutes:
        return policy.resolution_minutes
    return COMPLAINT_CLOSE_HOURS * 60


def ratings_below():
    from django.db.models.functions import Coalesce

    from kefu.callbacks.models import RatingLink

    return Exists(RatingLink.objects.filter(work_order=OuterRef("pk"), used_at__isnull=False).alias(
        stars=Coalesce("speed", 0) + Coalesce("attitude", 0) + Coalesce("quality", 0)).filter(
        stars__lt=SATISFIED_STAR_SUM))


# Conditions on OrderFact rows (ADR 0008): the flags that need other tables are stored per order
# (kefu.reports.facts computes them with the conditions above); the rest read the order's own
# columns, which the fact row carries under the same names, so condition_q applies unchanged.
FACT_FLAGS = {
    "repeat_complaint": Q(repeat_complaint=True),
    "callback_completed": Q(callback_completed=True),
    "callback_ended": Q(callback_ended=True),
    "callback_satisfied": Q(callback_satisfied=True),
    "rated": Q(rated=True),
    "satisfied": Q(rated=True, rated_low=False),
}
FACT_BASES = ("received", "resolved", "open")


def fact_condition_q(name: str, period: Period, now) -> Q:
    """`condition_q` on OrderFact rows (same meaning; the clock conditions are not facts)."""
    if name in FACT_FLAGS:
        return FACT_FLAGS[name]
    if name.startswith("sla_"):
        raise KeyError(name)
    return condition_q(name, period, now)


CONDITIONS = ("all", "not_cancelled", "fcr", "ever_resolved", "reopened", "complaint", "repeat_complaint",
              "closed_3d", "callback_due", "callback_completed", "callback_ended", "callback_satisfied", "rated",
              "satisfied", "sla_decided", "sla_breached", "sla_met", *(f"age_{b[0]}" for b in AGE_BUCKETS))


# --- definitions shown beside the numbers (docs/metrics.md has the long form) ---------------------

DEFINITIONS = {
    "total": _("Work orders received in the period (received time, site zone), all statuses."),
    "by_category": _("Orders received in the period per category, largest first; cumulative share is the "
                     "Pareto line."),
    "first_response_on_time_rate": _(
        "Orders whose first-response clock was decided in the period and met every time ÷ orders with a "
        "first-response clock decided in the period (stopped, or running past due). Business or calendar "
        "time as the SLA policy says; paused time excluded; cancelled clocks excluded."),
    "resolution_on_time_rate": _(
        "Orders whose resolution clock was decided in the period and met every time ÷ orders with a "
        "resolution clock decided in the period. A reopened order starts a new clock; it counts as on time "
        "only if every resolution decided in the period was."),
    "business_time": _("Business minutes used by the clocks stopped in the period (pauses excluded): average, "
                       "median and 90th percentile (nearest rank)."),
    "fcr_rate": _("Orders received in the period solved by the first-contact owner — resolved without "
                  "dispatch and never reopened ÷ orders received in the period, cancelled excluded."),
    "reopen_rate": _("Orders received in the period that were reopened at least once ÷ those resolved at "
                     "least once."),
    "repeat_complaint_rate": _("Complaints received in the period with an earlier complaint of the same "
                               "customer or unit in the same category within 30 days ÷ complaints received, "
                               "cancelled excluded."),
    "callback_coverage": _("Complaints and repair orders resolved in the period with a completed callback ÷ "
                           "complaints and repair orders resolved in the period (应回访)."),
    "callback_reach_rate": _("Of those, callbacks that reached the customer ÷ callbacks ended (reached or "
                             "unreachable)."),
    "callback_satisfaction_rate": _("Completed callbacks whose outcome was satisfied or very satisfied ÷ "
                                    "completed callbacks."),
    "satisfaction_rate": _("Orders resolved in the period rated satisfied (every rating averages ≥ 4 of 5 "
                           "stars) ÷ orders rated. Always read with the response rate (参评率) = orders rated "
                           "÷ orders resolved in the period."),
    "campaign_satisfaction": _(
        "Survey campaigns whose answering window ended in the period (closed early: the closing day), that you "
        "may see: valid answers (1–5 scale) at or above each campaign's satisfied level ÷ valid answers, pooled. "
        "Always read with the response rate (参评率) = invitations answered ÷ invitations. With a site, only that "
        "site's units count; not counted per team or agent."),
    "complaint_rate": _("Complaints received in the period (cancelled excluded) per 1,000 units of the sites "
                        "in scope (site unit count) and per 1,000 customers."),
    "backlog": _("Orders open now in the scope, by calendar age since received."),
    "closed_3d_rate": _("Complaints received in the period resolved within the complaint SLA policy's "
                        "resolution target (3 calendar days, 72 h, by default) of receipt ÷ complaints received, "
                        "cancelled excluded."),
}


@dataclass(frozen=True)
class FigureDefinition:
    """How one report figure is computed, for the in-app definitions page: the formula beside the
    number, what the numerator and the denominator count, and which orders the period is about."""

    key: str
    name: str
    formula: str
    numerator: str
    denominator: str
    basis: str

    @property
    def text(self) -> str:
        return str(DEFINITIONS.get(self.key, ""))


_RECEIVED = _("Orders received in the period (received time, in the site's time zone).")
_RESOLVED = _("Orders resolved in the period (their last resolution).")
_CLOCKS = _("Orders with an SLA clock decided in the period.")
_NOW = _("Open now (not limited by the period).")
_CAMPAIGNS = _("Survey campaigns whose answering window ended in the period.")


def figure_definitions() -> list[FigureDefinition]:
    """Every figure of the service analysis and the per-type reports, in the order of the pages
    (built per call: the texts follow the active language)."""
    d = FigureDefinition
    none = _("—")
    return [
        d("total", str(_("Work orders received")), str(_("count of orders")), str(_("orders received in the period, all statuses")),
          str(none), str(_RECEIVED)),
        d("first_response_on_time_rate", str(_("First-response on-time rate")), str(_("on time ÷ decided × 100%")),
          str(_("orders whose every first-response clock decided in the period met its due time")),
          str(_("orders with a first-response clock decided in the period (stopped, or running past due)")),
          str(_CLOCKS)),
        d("resolution_on_time_rate", str(_("Resolution on-time rate")), str(_("on time ÷ decided × 100%")),
          str(_("orders whose every resolution clock decided in the period met its due time")),
          str(_("orders with a resolution clock decided in the period")), str(_CLOCKS)),
        d("fcr_rate", str(_("First-contact resolution rate")), str(_("solved at first contact ÷ received × 100%")),
          str(_("orders resolved by the first-contact owner without dispatch and never reopened")),
          str(_("orders received in the period, cancelled excluded")), str(_RECEIVED)),
        d("reopen_rate", str(_("Reopen rate")), str(_("reopened ÷ resolved at least once × 100%")),
          str(_("orders reopened at least once")), str(_("orders resolved at least once")), str(_RECEIVED)),
        d("repeat_complaint_rate", str(_("Repeat-complaint rate")), str(_("repeat complaints ÷ complaints × 100%")),
          str(_("complaints with an earlier complaint of the same customer or unit in the same category "
                "within 30 days")),
          str(_("complaints received in the period, cancelled excluded")), str(_RECEIVED)),
        d("closed_3d_rate", str(_("Complaints closed within 3 days")), str(_("closed in time ÷ complaints × 100%")),
          str(_("complaints resolved within the complaint resolution target (72 h by default) of receipt")),
          str(_("complaints received in the period, cancelled excluded")), str(_RECEIVED)),
        d("callback_coverage", str(_("Callback coverage")), str(_("called back ÷ to call back × 100%")),
          str(_("complaints and repair orders with a completed callback")),
          str(_("complaints and repair orders resolved in the period (应回访)")), str(_RESOLVED)),
        d("callback_reach_rate", str(_("Callback reach rate")), str(_("reached ÷ ended × 100%")),
          str(_("callbacks that reached the customer")), str(_("callbacks ended (reached or unreachable)")),
          str(_RESOLVED)),
        d("callback_satisfaction_rate", str(_("Callback satisfaction")), str(_("satisfied ÷ completed × 100%")),
          str(_("completed callbacks with the outcome satisfied or very satisfied")),
          str(_("completed callbacks")), str(_RESOLVED)),
        d("satisfaction_rate", str(_("Satisfaction rate (ratings)")), str(_("satisfied ÷ rated × 100%")),
          str(_("orders rated satisfied (every rating averages 4 or more of 5 stars)")), str(_("orders rated")),
          str(_RESOLVED)),
        d("response_rate", str(_("Response rate (参评率)")), str(_("rated ÷ resolved × 100%")), str(_("orders rated")),
          str(_("orders resolved in the period")), str(_RESOLVED)),
        d("campaign_satisfaction", str(_("Satisfaction rate (survey campaigns)")),
          str(_("satisfied answers ÷ valid answers × 100%")),
          str(_("valid answers at or above the campaign's satisfied level")),
          str(_("valid answers (1–5 scale), pooled over the campaigns")), str(_CAMPAIGNS)),
        d("campaign_response_rate", str(_("Survey campaigns: response rate (参评率)")),
          str(_("invitations answered ÷ invitations × 100%")), str(_("invitations answered")),
          str(_("invitations sent")), str(_CAMPAIGNS)),
        d("complaint_rate", str(_("Complaints per 1,000 units / customers")),
          str(_("complaints ÷ units × 1,000; complaints ÷ customers × 1,000")),
          str(_("complaints received in the period, cancelled excluded")),
          str(_("units of the sites in scope; customers")), str(_RECEIVED)),
        d("by_category", str(_("By category (Pareto)")), str(_("cumulative share = orders of this and the larger "
                                                                 "categories ÷ all orders received × 100%")),
          str(_("orders received in the category")), str(_("orders received in the period")), str(_RECEIVED)),
        d("business_time", str(_("Business times")), str(_("average, median and 90th percentile (nearest rank)")),
          str(_("business minutes each stopped clock used, pauses excluded")),
          str(_("clocks stopped in the period")), str(_CLOCKS)),
        d("backlog", str(_("Open backlog by age")), str(_("count of open orders per age")),
          str(_("orders open now, by calendar age since received")), str(none), str(_NOW)),
    ]
