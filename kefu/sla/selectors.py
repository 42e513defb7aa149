"""Reads of the SLA app: the CalendarSpec that business_time computes with, an order's clocks as
the page shows them, and the figures reports and KPI build on — the on-time rate (one definition,
counted per order: ADR 0007), business-time statistics and breaches."""

import math
import time
from datetime import datetime

from django.db.models import Aggregate, Case, Exists, FloatField, IntegerField, Max, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.sla import business_time
from kefu.sla.choices import ClockState
from kefu.sla.models import Holiday, HolidayYear, SlaClock, SlaPolicy, WorkCalendar, default_escalation

_holiday_cache: dict = {"stamp": None, "value": None, "checked": 0.0}
# How long a process trusts its copy of the holiday table without asking the database whether it
# changed. Holidays change once a year (an import) or on an administrator's edit; both bump
# HolidayYear.loaded_at and clear this process's copy at once (`holidays_changed`), and other
# processes see the change within this many seconds. Before, every transition paid two queries.
HOLIDAY_CACHE_SECONDS = 30.0


def holidays_changed() -> None:
    """Forget this process's copy of the holiday table (called by the writers)."""
    _holiday_cache.update(stamp=None, value=None, checked=0.0)


def _holiday_sets() -> tuple[frozenset, frozenset, frozenset]:
    """(days off, make-up workdays, years with data), cached until the tables change."""
    now = time.monotonic()
    if _holiday_cache["value"] is not None and now - _holiday_cache["checked"] < HOLIDAY_CACHE_SECONDS:
        return _holiday_cache["value"]
    stamp = (Holiday.objects.count(), HolidayYear.objects.aggregate(m=Max("loaded_at"))["m"])
    if _holiday_cache["stamp"] != stamp:
        off, work = set(), set()  # type: ignore[var-annotated]  # its element type follows from the code below
        for day, kind in Holiday.objects.values_list("date", "kind"):
            (work if kind == "workday" else off).add(day)
        years = frozenset(HolidayYear.objects.values_list("year", flat=True))
        _holiday_cache.update(stamp=stamp, value=(frozenset(off), frozenset(work), years))
    _holiday_cache["checked"] = now
    return _holiday_cache["value"]


def calendar_spec(*, calendar: WorkCalendar) -> business_time.CalendarSpec:
    off, work, years = _holiday_sets() if calendar.use_china_holidays else (frozenset(), frozenset(), frozenset())
    return business_time.CalendarSpec(
        timezone=calendar.timezone, hours=business_time.parse_hours(calendar.hours or {}),
        use_holidays=calendar.use_china_holidays, holidays=off, makeup_workdays=work, years_with_data=years,
        always_open=calendar.always_open)


def first_workday_on_or_after(day):
    """The first day from `day` on that is a working day under China's holiday table: not a
    statutory day off, and Monday–Friday or a make-up workday (调休). A year without holiday data
    falls back to Monday–Friday."""
    import datetime as dt

    off, work, _years = _holiday_sets()
    for _attempt in range(40):  # the longest run of days off (Spring Festival + weekends) is ~10 days
        if day in work or (day not in off and day.weekday() < 5):
            return day
        day += dt.timedelta(days=1)
    return day


def missing_holiday_years(*, years) -> list[int]:
    """Which of `years` have no holiday data (for the administrators' banner)."""
    known = set(HolidayYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
    return [y for y in years if y not in known]


def _remaining_minutes(clock: SlaClock, specs: dict, now: datetime) -> float:
    """Minutes left on a live clock until its due time (negative: overdue), in business time for a
    business clock (a paused clock counts from when it paused). `specs` caches calendars by id."""
    reference = clock.paused_at or now
    if not clock.business:
        return (clock.due_at - reference).total_seconds() / 60
    spec = specs.get(clock.calendar_id)
    if spec is None:
        spec = specs[clock.calendar_id] = calendar_spec(calendar=clock.calendar)
    if clock.due_at >= reference:
        return business_time.business_minutes_between(spec, reference, clock.due_at).minutes
    return -business_time.business_minutes_between(spec, clock.due_at, reference).minutes


def deadline_state(clock: SlaClock, now: datetime) -> str:
    """A live clock's state as the queue's chip colours it: paused, breached (past due), warning
    (past its warning time) or running."""
    if clock.paused_at is not None:
        return "paused"
    if clock.due_at < now:
        return "breached"
    if clock.warn_at is not None and clock.warn_at <= now:
        return "warning"
    return "running"


def deadlines_for_orders(*, order_ids, now) -> dict[int, dict]:
    """Each order's next deadline for the queue's chips: the live clock due first (a running one
    before a paused one), its chip state, minutes left (negative: overdue) and whether they are
    working time. One query for a page of orders (calendars joined)."""
    result: dict[int, dict] = {}
    specs: dict = {}
    clocks = (SlaClock.objects.filter(work_order_id__in=list(order_ids), stopped_at=None)
              .select_related("calendar").order_by("due_at", "id"))
    for clock in clocks:
        current = result.get(clock.work_order_id)
        if current is not None and not (current["state"] == "paused" and clock.paused_at is None):
            continue
        result[clock.work_order_id] = {
            "kind": clock.kind, "state": deadline_state(clock, now), "due_at": clock.due_at,
            "business": clock.business, "remaining_minutes": _remaining_minutes(clock, specs, now)}
    return result


def clocks_for_order(*, order, now) -> list[dict]:
    """The order's clocks as the page and API show them: state (a running clock past due reads
    as breached), due time, business minutes remaining (negative: overdue), warnings."""
    rows = []
    specs: dict[int, business_time.CalendarSpec] = {}
    for clock in SlaClock.objects.filter(work_order=order).select_related("calendar").order_by("started_at", "id"):
        state = clock.state
        remaining = None
        if clock.stopped_at is None:
            remaining = _remaining_minutes(clock, specs, now)
            if state == "running" and clock.due_at < now:
                state = "breached"
        rows.append({"clock": clock, "kind": clock.kind, "state": state, "due_at": clock.due_at,
                     "remaining_minutes": None if remaining is None else round(remaining, 1),
                     "business": clock.business, "target_minutes": clock.target_minutes,
                     "paused_minutes": round(clock.paused_minutes, 1),
                     "elapsed_minutes": None if clock.elapsed_minutes is None else round(clock.elapsed_minutes, 1),
                     "stopped_at": clock.stopped_at, "missing_holiday_years": clock.missing_holiday_years})
    return rows


# --- on-time rates: one definition for reports and KPI, counted per order (ADR 0007) -----------
#
# A clock is *in* a period when it stopped (met or breached) in it, or is still running, not paused,
# with its due time in it; cancelled clocks (not applicable) never count. Of those, it is *decided*
# when it stopped or its due time has passed by `now`, and *breached* when it stopped breached or is
# running past due. An order is on time for a kind when it has a decided clock of that kind in the
# period and none breached: a reopened order resolved twice in the period is on time only if both
# resolutions were. kefu.reports.metrics reads these same conditions, so the report, the KPI line and
# both drill-down lists are one number.

def complaint_policy() -> SlaPolicy | None:
    """The complaint SLA policy: the active policy tried first for every complaint (its types name
    only "complaint", with no narrower condition). Its resolution target is the complaint sheet's
    closure limit the complaint report and the standards board count (抱怨单 3 天封闭)."""
    for policy in SlaPolicy.objects.filter(is_active=True).order_by("precedence", "id"):
        if policy.types == ["complaint"] and not (policy.category_prefixes or policy.priorities
                                                  or policy.complaint_levels or policy.channels
                                                  or policy.customer_tiers):
            return policy
    return None


def walk_in_policy() -> SlaPolicy | None:
    """The walk-in policy (three-minute principle): the active policy tried first whose channels
    are only "walk_in" and that sets a dispatch target. The standards board reads its dispatch
    target as the walk-in standard's minutes."""
    for policy in SlaPolicy.objects.filter(is_active=True, dispatch_minutes__isnull=False).order_by("precedence", "id"):
        if policy.channels == ["walk_in"]:
            return policy
    return None


def clock_in_period_q(*, start, end) -> Q:
    """SlaClock rows that belong to [start, end) (not cancelled; stopped in it, or running unpaused
    and due in it)."""
    return ~Q(state=ClockState.CANCELLED) & (
        Q(stopped_at__gte=start, stopped_at__lt=end)
        | Q(stopped_at=None, paused_at=None, due_at__gte=start, due_at__lt=end))


def clock_decided_q(*, now) -> Q:
    """SlaClock rows whose outcome is known at `now`: stopped met/breached, or running past due."""
    return Q(state__in=[ClockState.MET, ClockState.BREACHED]) | Q(stopped_at=None, due_at__lt=now)


def clock_breached_q(*, now) -> Q:
    """SlaClock rows that missed their due time: stopped breached, or still running past due."""
    return Q(state=ClockState.BREACHED) | Q(stopped_at=None, due_at__lt=now)


def order_has_clock(*, kind: str, start, end, condition: Q) -> Exists:
    """On WorkOrder rows: the order has a clock of `kind` in [start, end) matching `condition`."""
    return Exists(SlaClock.objects.filter(clock_in_period_q(start=start, end=end) & condition,
                                          work_order=OuterRef("pk"), kind=kind))


def on_time_order_q(*, kind: str, start, end, now, which: str = "decided") -> Q:
    """On WorkOrder rows: orders counted in the on-time rate of `kind` over [start, end) —
    `decided` (the denominator), `met` (the numerator) or `breached` (the rest)."""
    decided = Q(order_has_clock(kind=kind, start=start, end=end, condition=clock_decided_q(now=now)))
    breached = Q(order_has_clock(kind=kind, start=start, end=end, condition=clock_breached_q(now=now)))
    if which == "decided":
        return decided
    if which == "breached":
        return breached
    if which == "met":
        return decided & ~breached
    raise ValueError(which)


def on_time_counts(*, kinds, start, end, now, orders=None, stopped_orders=None) -> dict[str, dict]:
    """Per clock kind: {"decided", "breached"} — orders with a clock of the kind decided in
    [start, end), and those of them with a breached one (met = decided − breached).

    Counted per order in two steps (per order and kind first, then per kind) rather than with
    COUNT(DISTINCT …), which sorted every clock of the period on disk (bench/reports.py). On
    PostgreSQL the clocks are read as `_period_clock_rows` reads them (`stopped_orders`: see
    `clock_report_figures`)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        sql, params = _period_clock_rows(kinds=kinds, start=start, end=end, now=now, orders=orders,
                                         stopped_orders=stopped_orders)
        sql = f"""SELECT kind, SUM(decided), SUM(breached)
                  FROM (SELECT kind, work_order_id, MAX(is_decided) AS decided, MAX(is_breached) AS breached
                        FROM ({sql}) c GROUP BY kind, work_order_id) per_order GROUP BY kind"""
    else:
        per_order = SlaClock.objects.filter(clock_in_period_q(start=start, end=end), kind__in=list(kinds))
        if orders is not None:
            per_order = per_order.filter(work_order__in=orders)
        flag = {"default": Value(0), "output_field": IntegerField()}
        per_order = (per_order.order_by().values("kind", "work_order_id")  # type: ignore[assignment]  # an annotated queryset kept in the same variable
                     .annotate(decided=Max(Case(When(clock_decided_q(now=now), then=Value(1)), **flag)),  # type: ignore[arg-type]  # Case(**{default, output_field}) keyword arguments
                               breached=Max(Case(When(clock_breached_q(now=now), then=Value(1)), **flag))))  # type: ignore[arg-type]  # Case(**{default, output_field}) keyword arguments
        sql, params = per_order.query.sql_with_params()
        sql = f"SELECT kind, SUM(decided), SUM(breached) FROM ({sql}) per_order GROUP BY kind"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {kind: {"decided": int(d or 0), "breached": int(b or 0)} for kind, d, b in cursor.fetchall()}
    return {kind: rows.get(kind, {"decided": 0, "breached": 0}) for kind in kinds}


def _period_clocks(*, kind: str, start, end, orders=None):
    """Clocks of `kind` in [start, end) (see `clock_in_period_q`)."""
    qs = SlaClock.objects.filter(clock_in_period_q(start=start, end=end), kind=kind)
    if orders is not None:
        qs = qs.filter(work_order__in=orders)
    return qs


def on_time_rate(*, kind: str, start, end, orders=None, now=None) -> dict:
    """Share of orders on time: {"numerator", "denominator", "rate"} (rate None when nothing counted).

    Denominator: orders (of `orders`, else all) with a clock of `kind` decided in [start, end);
    numerator: those none of whose clocks of the kind in the period was breached. A running clock
    counts as breached once its due time has passed (`now`)."""
    from django.utils import timezone

    now = now or timezone.now()
    row = on_time_counts(kinds=[kind], start=start, end=end, now=now, orders=orders)[kind]
    met, decided = row["decided"] - row["breached"], row["decided"]
    return {"numerator": met, "denominator": decided, "rate": met / decided if decided else None}


def business_time_stats(*, kind: str, start, end, orders=None) -> dict:
    """Average, median and 90th percentile of the business minutes used by stopped clocks."""
    return business_time_stats_by_kind(kinds=[kind], start=start, end=end, orders=orders)[kind]


def business_time_stats_by_kind(*, kinds, start, end, orders=None) -> dict[str, dict]:
    """Per clock kind: {"count", "average", "median", "p90"} of the business minutes used by the
    clocks of the kind stopped in [start, end) (pauses excluded; nearest-rank percentiles).

    On PostgreSQL one query computes them: percentile_disc(p) is the nearest rank (row ceil(p × n)
    of the sorted values), so a month of 100,000 clocks is not shipped to Python; elsewhere the
    values are sorted here."""
    from django.db import connection

    clocks = (SlaClock.objects.filter(clock_in_period_q(start=start, end=end), kind__in=list(kinds))
              .exclude(stopped_at=None).exclude(elapsed_minutes=None))
    if orders is not None:
        clocks = clocks.filter(work_order__in=orders)
    empty = {"count": 0, "average": None, "median": None, "p90": None}
    out = {kind: dict(empty) for kind in kinds}
    if connection.vendor == "postgresql":
        from django.db.models import Avg, Count

        rows = (clocks.order_by().values("kind")
                .annotate(n=Count("pk"), average=Avg("elapsed_minutes"),
                          median=_PercentileDisc("elapsed_minutes", fraction=0.5),
                          p90=_PercentileDisc("elapsed_minutes", fraction=0.9)))
        for row in rows:
            out[row["kind"]] = {"count": row["n"], "average": round(row["average"], 1), "median": row["median"],
                                "p90": row["p90"]}
        return out
    values: dict[str, list[float]] = {}
    for kind, minutes in clocks.values_list("kind", "elapsed_minutes"):
        values.setdefault(kind, []).append(minutes)  # type: ignore[arg-type]  # not None on this path (set or checked before)
    for kind, found in values.items():
        found.sort()
        out[kind] = {"count": len(found), "average": round(sum(found) / len(found), 1),  # type: ignore[dict-item]  # not None on this path (set or checked before)
                     "median": _nearest_rank(found, 0.5), "p90": _nearest_rank(found, 0.9)}  # type: ignore[dict-item]  # not None on this path (set or checked before)
    return out


def _nearest_rank(ordered: list[float], p: float) -> float:
    """The smallest value with at least p of the observations at or below it (what PostgreSQL's
    percentile_disc gives). Rounding first keeps float noise in p × n from pushing the rank up."""
    rank = math.ceil(round(p * len(ordered), 6))
    return ordered[max(0, min(len(ordered), rank) - 1)]


def _period_clock_rows(*, kinds, start, end, now, orders, stopped_orders) -> tuple[str, tuple]:
    """SQL of the clocks of `kinds` in [start, end) (`clock_in_period_q`), one row each: kind,
    work_order_id, elapsed_minutes and 0/1 flags is_decided, is_breached, is_timed (PostgreSQL).

    `clock_in_period_q` as its two disjoint halves, UNION ALL. The stopped clocks of the period
    are read from sla_clock_kind_stopped_cov_idx alone (an index-only scan instead of ~35,000
    scattered heap pages at 1M orders), so their flags use only the index's columns: for a stopped
    clock clock_decided_q and clock_breached_q reduce to its state. The running clocks (not
    paused, due in the period) are few and use the conditions as they are. `stopped_orders`
    (default `orders`) limits the stopped half (see `clock_report_figures`)."""
    flag = {"default": Value(0), "output_field": IntegerField()}

    def flags(qs, *, decided: Q, breached: Q, timed: Q, within=orders):
        if within is not None:
            qs = qs.filter(work_order__in=within)
        return (qs.order_by()
                .annotate(is_decided=Case(When(decided, then=Value(1)), **flag),  # type: ignore[arg-type]  # Case(**{default, output_field}) keyword arguments
                          is_breached=Case(When(breached, then=Value(1)), **flag),  # type: ignore[arg-type]  # Case(**{default, output_field}) keyword arguments
                          is_timed=Case(When(timed, then=Value(1)), **flag))  # type: ignore[arg-type]  # Case(**{default, output_field}) keyword arguments
                .values("kind", "work_order_id", "elapsed_minutes", "is_decided", "is_breached", "is_timed"))

    not_cancelled = ~Q(state=ClockState.CANCELLED)
    stopped = flags(SlaClock.objects.filter(not_cancelled, kind__in=list(kinds), stopped_at__gte=start,
                                            stopped_at__lt=end),
                    decided=Q(state__in=[ClockState.MET, ClockState.BREACHED]), breached=Q(state=ClockState.BREACHED),
                    timed=Q(elapsed_minutes__isnull=False),
                    within=orders if stopped_orders is None else stopped_orders)
    running = flags(SlaClock.objects.filter(not_cancelled, kind__in=list(kinds), stopped_at=None, paused_at=None,
                                            due_at__gte=start, due_at__lt=end),
                    decided=clock_decided_q(now=now), breached=clock_breached_q(now=now),
                    timed=Q(stopped_at__isnull=False, elapsed_minutes__isnull=False))
    return stopped.union(running, all=True).query.sql_with_params()


def clock_report_figures(*, kinds, start, end, now, orders=None,
                         stopped_orders=None) -> tuple[dict[str, dict], dict[str, dict]]:
    """(`on_time_counts`, `business_time_stats_by_kind`) of the same clocks, from one read of the
    period's clocks on PostgreSQL: the month's ~200,000 clock rows are the costliest read of the
    service analysis, and both figures need the same ones (a materialised CTE, aggregated twice).
    Elsewhere the two functions run as they are.

    `stopped_orders` (default `orders`) limits the clocks stopped in the period: a caller may pass
    a narrower set that still holds every order of `orders` with a clock stopped in the period
    (the reports pass the orders changed since the period's start: a clock stops only in a
    work-order event, which sets the order's updated_at)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        # (`stopped_orders` only narrows the search; the full `orders` give the same counts)
        return (on_time_counts(kinds=kinds, start=start, end=end, now=now, orders=orders),
                business_time_stats_by_kind(kinds=kinds, start=start, end=end, orders=orders))
    sql, params = _period_clock_rows(kinds=kinds, start=start, end=end, now=now, orders=orders,
                                     stopped_orders=stopped_orders)
    counts = {kind: {"decided": 0, "breached": 0} for kind in kinds}
    stats = {kind: {"count": 0, "average": None, "median": None, "p90": None} for kind in kinds}
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH c AS MATERIALIZED ({sql})
            SELECT kind, 'orders', SUM(decided), SUM(breached), NULL::float8, NULL::float8, NULL::float8
            FROM (SELECT kind, work_order_id, MAX(is_decided) AS decided, MAX(is_breached) AS breached
                  FROM c GROUP BY kind, work_order_id) per_order GROUP BY kind
            UNION ALL
            SELECT kind, 'minutes', COUNT(*), NULL, AVG(elapsed_minutes),
                   PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY elapsed_minutes),
                   PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY elapsed_minutes)
            FROM c WHERE is_timed = 1 GROUP BY kind""", params)
        for kind, part, first, second, average, median, p90 in cursor.fetchall():
            if part == "orders":
                counts[kind] = {"decided": int(first or 0), "breached": int(second or 0)}
            else:
                stats[kind] = {"count": int(first), "average": round(average, 1), "median": median, "p90": p90}
    return counts, stats


class _PercentileDisc(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_disc(fraction) WITHIN GROUP (ORDER BY expr)."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), output_field=FloatField(), **extra)


def breaches_by(*, field: str, start, end, orders=None, now=None) -> dict:
    """Breached clocks (any kind) in the period per team or category code."""
    from django.db.models import Count, Q
    from django.utils import timezone

    now = now or timezone.now()
    group = {"team": "work_order__team__code", "category": "work_order__category__code"}[field]
    qs = SlaClock.objects.exclude(state="cancelled").filter(
        Q(state="breached", stopped_at__gte=start, stopped_at__lt=end)
        | Q(stopped_at=None, due_at__gte=start, due_at__lt=min(end, now)))
    if orders is not None:
        qs = qs.filter(work_order__in=orders)
    return dict(qs.values_list(group).annotate(n=Count("pk")).order_by(group).values_list(group, "n"))


def holiday_years_needed(*, today=None) -> list[int]:
    """Years without holiday data that matter now: this year and next (the State Council
    publishes next year's arrangement around November), and any year a running clock's
    deadline already falls in."""
    from django.utils import timezone

    today = today or timezone.localdate()
    wanted = {today.year, today.year + 1}
    for years in SlaClock.objects.filter(stopped_at=None).exclude(missing_holiday_years=[]).values_list(
            "missing_holiday_years", flat=True)[:1000]:
        wanted.update(years)
    return missing_holiday_years(years=sorted(wanted))


# --- policies, calendars and due-time previews (reads; the clocks hook and the sweeper use them) ---

def policy_for(*, order) -> SlaPolicy | None:
    """The first active policy (by precedence) whose conditions all match the order."""
    tier = order.customer.tier if order.customer_id else ""
    category = order.category.code if order.category_id else ""
    for policy in SlaPolicy.objects.filter(is_active=True, is_default=False).select_related("calendar"):
        if policy.types and order.type not in policy.types:
            continue
        if policy.priorities and order.priority not in policy.priorities:
            continue
        if policy.channels and order.channel not in policy.channels:
            continue
        if policy.complaint_levels and order.complaint_level not in policy.complaint_levels:
            continue
        if policy.customer_tiers and tier not in policy.customer_tiers:
            continue
        if policy.category_prefixes and not any(category == p or category.startswith(p + ".")
                                                for p in policy.category_prefixes):
            continue
        return policy
    return SlaPolicy.objects.filter(is_active=True, is_default=True).select_related("calendar").first()


def team_calendar(team_id) -> WorkCalendar | None:
    """The team's own work calendar, if it has one."""
    if team_id is None:
        return None
    return WorkCalendar.objects.filter(team_id=team_id).order_by("id").first()


def escalation_ladder(clock) -> list[dict]:
    """The clock's escalation steps: its policy's ladder, or the default one."""
    return list(clock.policy.escalation if clock.policy_id else default_escalation())


def missing_year_warnings(years) -> list[str]:
    """One warning per year whose holiday data is missing (deadlines counted on weekly hours)."""
    return [_("%(year)s holiday data missing") % {"year": year} for year in years]


def calendar_due(*, calendar: WorkCalendar, start: datetime, minutes: int) -> tuple[datetime, list[str]]:
    """Preview: `minutes` of business time after `start` on this calendar, with warnings."""
    try:
        result = business_time.add_business_minutes(calendar_spec(calendar=calendar), start, minutes)
    except business_time.NoWorkingTime:
        raise InvalidInput(_("The calendar has no working time in the next three years."),
                           fields={"minutes": [_("The calendar has no working time in the next three years.")]}
                           ) from None
    return result.value, missing_year_warnings(result.missing_years)
