"""Business-time arithmetic on a work calendar: the one module that does it.

Pure Python (no database): a `CalendarSpec` holds a time zone, working intervals per weekday,
and China's statutory holidays and make-up workdays (调休). Rules for a day:

- a 24×7 calendar is always open;
- with holidays on and data for the day's year: a make-up workday works the calendar's standard
  workday hours (the first of Monday–Friday that has hours), a holiday is off, any other day
  follows the weekly hours;
- with holidays on but no data for that year: the plain weekly hours, and the result carries a
  warning naming the year — never a silent guess;
- with holidays off: the weekly hours.

Intervals are half-open [start, end) in minutes after local midnight (end may be 1440).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 366 * 3  # a target that needs more than three years of calendar is a misconfiguration

Interval = tuple[int, int]


class NoWorkingTime(ValueError):
    """The calendar has no working time within MAX_DAYS of the start."""


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str
    hours: tuple[tuple[Interval, ...], ...]  # index 0 = Monday
    use_holidays: bool = False
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    years_with_data: frozenset[int] = frozenset()
    always_open: bool = False
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "tz", ZoneInfo(self.timezone))

    @property
    def standard_day(self) -> tuple[Interval, ...]:
        for intervals in self.hours[:5]:
            if intervals:
                return intervals
        return ()

    def day(self, day: date) -> tuple[tuple[Interval, ...], int | None]:
        """(working intervals, year missing holiday data or None) for one local date."""
        if self.always_open:
            return ((0, 1440),), None
        weekly = self.hours[day.weekday()]
        if not self.use_holidays:
            return weekly, None
        if day.year not in self.years_with_data:
            return weekly, day.year
        if day in self.makeup_workdays:
            return self.standard_day, None
        if day in self.holidays:
            return (), None
        return weekly, None


@dataclass(frozen=True)
class Result:
    value: datetime
    missing_years: tuple[int, ...] = ()


def parse_hours(hours: dict) -> tuple[tuple[Interval, ...], ...]:
    """{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sun": []} → weekday intervals.

    Raises ValueError naming the day on bad times, reversed or overlapping intervals.
    """
    if not isinstance(hours, dict):
        raise ValueError("hours must be an object with keys mon … sun")
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown day: {sorted(unknown)[0]}")
    result = []
    for name in WEEKDAYS:
        raw = hours.get(name) or []
        if not isinstance(raw, list):
            raise ValueError(f"{name}: a list of [start, end] pairs is expected")
        intervals = []
        for pair in raw:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{name}: each interval is [\"HH:MM\", \"HH:MM\"]")
            start, end = (_minutes(name, pair[0]), _minutes(name, pair[1]))
            if end <= start:
                raise ValueError(f"{name}: {pair[0]}–{pair[1]} ends before it starts")
            intervals.append((start, end))
        intervals.sort()
        for (_s1, e1), (s2, _e2) in zip(intervals, intervals[1:], strict=False):
            if s2 < e1:
                raise ValueError(f"{name}: intervals overlap")
        result.append(tuple(intervals))
    return tuple(result)


def _minutes(day: str, text) -> int:
    try:
        hh, mm = str(text).split(":")
        h, m = int(hh), int(mm)
    except ValueError:
        raise ValueError(f"{day}: {text!r} is not HH:MM") from None
    if (h, m) == (24, 0):
        return 1440
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"{day}: {text!r} is not a time of day")
    return h * 60 + m


def format_hours(hours: tuple[tuple[Interval, ...], ...]) -> dict:
    def hhmm(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"

    return {name: [[hhmm(s), hhmm(e)] for s, e in hours[i]] for i, name in enumerate(WEEKDAYS)}


def _bounds(spec: CalendarSpec, day: date, interval: Interval) -> tuple[datetime, datetime]:
    midnight = datetime.combine(day, time(0), tzinfo=spec.tz)
    return midnight + timedelta(minutes=interval[0]), midnight + timedelta(minutes=interval[1])


def _days_from(spec: CalendarSpec, start: datetime) -> Iterable[date]:
    first = start.astimezone(spec.tz).date()
    for offset in range(MAX_DAYS + 1):
        yield first + timedelta(days=offset)


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int | float) -> Result:
    """The instant `minutes` of working time after `start` (the end of the last working minute).

    Zero minutes gives `start` itself. The result is in the calendar's zone.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    start = start.astimezone(spec.tz)
    if minutes == 0:
        return Result(start)
    remaining = timedelta(minutes=minutes)
    missing: set[int] = set()
    for day in _days_from(spec, start):
        intervals, missing_year = spec.day(day)
        if missing_year is not None and intervals:
            missing.add(missing_year)
        for interval in intervals:
            begin, end = _bounds(spec, day, interval)
            begin = max(begin, start)
            if begin >= end:
                continue
            available = end - begin
            if remaining <= available:
                return Result(begin + remaining, tuple(sorted(missing)))
            remaining -= available
    raise NoWorkingTime("the calendar has no working time in the next three years")


@dataclass(frozen=True)
class BetweenResult:
    minutes: float
    missing_years: tuple[int, ...] = ()


def business_minutes_between(spec: CalendarSpec, start: datetime, end: datetime) -> BetweenResult:
    """Working minutes in [start, end); an empty or reversed span counts as zero."""
    total, missing = _between(spec, start, end)
    return BetweenResult(total, tuple(sorted(missing)))


def _between(spec: CalendarSpec, start: datetime, end: datetime) -> tuple[float, set[int]]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    if end <= start:
        return 0.0, set()
    start, end = start.astimezone(spec.tz), end.astimezone(spec.tz)
    total = timedelta(0)
    missing: set[int] = set()
    last_day = end.date()
    day = start.date()
    while day <= last_day:
        intervals, missing_year = spec.day(day)
        for interval in intervals:
            begin, finish = _bounds(spec, day, interval)
            begin, finish = max(begin, start), min(finish, end)
            if finish > begin:
                total += finish - begin
                if missing_year is not None:
                    missing.add(missing_year)
        day += timedelta(days=1)
    return total.total_seconds() / 60, missing
