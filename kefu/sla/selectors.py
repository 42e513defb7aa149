"""Reads for calendars: the CalendarSpec that business_time computes with."""

from django.db.models import Max

from kefu.sla import business_time
from kefu.sla.models import Holiday, HolidayYear, WorkCalendar

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
