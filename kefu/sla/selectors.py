"""Reads for calendars: the CalendarSpec that business_time computes with."""

from django.db.models import Max

from kefu.sla import business_time
from kefu.sla.models import Holiday, HolidayYear, SlaClock, WorkCalendar

_holiday_cache: dict = {"stamp": None, "value": None}


def _holiday_sets() -> tuple[frozenset, frozenset, frozenset]:
    """(days off, make-up workdays, years with data), cached until the tables change."""
    stamp = (Holiday.objects.count(), HolidayYear.objects.aggregate(m=Max("loaded_at"))["m"])
    if _holiday_cache["stamp"] != stamp:
        off, work = set(), set()
        for day, kind in Holiday.objects.values_list("date", "kind"):
            (work if kind == "workday" else off).add(day)
        years = frozenset(HolidayYear.objects.values_list("year", flat=True))
        _holiday_cache.update(stamp=stamp, value=(frozenset(off), frozenset(work), years))
    return _holiday_cache["value"]


def calendar_spec(*, calendar: WorkCalendar) -> business_time.CalendarSpec:
    off, work, years = _holiday_sets() if calendar.use_china_holidays else (frozenset(), frozenset(), frozenset())
    return business_time.CalendarSpec(
        timezone=calendar.timezone, hours=business_time.parse_hours(calendar.hours or {}),
        use_holidays=calendar.use_china_holidays, holidays=off, makeup_workdays=work, years_with_data=years,
        always_open=calendar.always_open)


def missing_holiday_years(*, years) -> list[int]:
    """Which of `years` have no holiday data (for the administrators' banner)."""
    known = set(HolidayYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
    return [y for y in years if y not in known]


def clocks_for_order(*, order, now) -> list[dict]:
    """The order's clocks as the page and API show them: state (a running clock past due reads
    as breached), due time, business minutes remaining (negative: overdue), warnings."""
    rows = []
    specs: dict[int, business_time.CalendarSpec] = {}
    for clock in SlaClock.objects.filter(work_order=order).select_related("calendar").order_by("started_at", "id"):
        state = clock.state
        remaining = None
        if clock.stopped_at is None:
            reference = clock.paused_at or now
            if clock.business:
                spec = specs.setdefault(clock.calendar_id, calendar_spec(calendar=clock.calendar))
                if clock.due_at >= reference:
                    remaining = business_time.business_minutes_between(spec, reference, clock.due_at).minutes
                else:
                    remaining = -business_time.business_minutes_between(spec, clock.due_at, reference).minutes
            else:
                remaining = (clock.due_at - reference).total_seconds() / 60
            if state == "running" and clock.due_at < now:
                state = "breached"
        rows.append({"clock": clock, "kind": clock.kind, "state": state, "due_at": clock.due_at,
                     "remaining_minutes": None if remaining is None else round(remaining, 1),
                     "business": clock.business, "target_minutes": clock.target_minutes,
                     "paused_minutes": round(clock.paused_minutes, 1),
                     "elapsed_minutes": None if clock.elapsed_minutes is None else round(clock.elapsed_minutes, 1),
                     "stopped_at": clock.stopped_at, "missing_holiday_years": clock.missing_holiday_years})
    return rows
