"""Business-time arithmetic against a brute-force minute-by-minute reference (no database)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla import business_time as bt

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOLIDAYS = frozenset(d for d in constants.holidays if d.year >= 2025)
MAKEUP = frozenset(d for d in constants.workdays if d.year >= 2025)
SPEC = bt.CalendarSpec(timezone="Asia/Shanghai", hours=bt.parse_hours(OFFICE), use_holidays=True,
                       holidays=HOLIDAYS, makeup_workdays=MAKEUP, years_with_data=frozenset({2025, 2026}))


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(("start", "minutes", "due", "missing"), [
    (at(2026, 9, 30, 10), 16 * 60, at(2026, 10, 9, 10), ()),      # Oct 1–7 off, Oct 8 works
    (at(2026, 9, 19, 14), 4 * 60, at(2026, 9, 20, 14), ()),       # Sunday Sep 20 is a make-up workday
    (at(2026, 10, 9, 17, 30), 60, at(2026, 10, 10, 9, 30), ()),   # Saturday Oct 10 is a make-up workday
    (at(2026, 12, 31, 17), 120, at(2027, 1, 1, 10), (2027,)),     # 2027 unknown: weekly hours + warning
    (at(2026, 11, 23, 12, 30), 30, at(2026, 11, 23, 13, 30), ()), # lunch break skipped
    (at(2026, 11, 23, 17), 60, at(2026, 11, 23, 18), ()),         # ends exactly at closing time
    (at(2026, 11, 23, 10), 0, at(2026, 11, 23, 10), ()),
], ids=["national_day", "makeup_sunday", "makeup_saturday", "missing_year", "lunch", "closing", "zero"])
def test_add_business_minutes_acceptance(start, minutes, due, missing):
    result = bt.add_business_minutes(SPEC, start, minutes)
    assert result.value == due
    assert result.missing_years == missing


def test_between_counts_only_working_minutes():
    result = bt.business_minutes_between(SPEC, at(2026, 9, 30, 10), at(2026, 10, 9, 10))
    assert result.minutes == 16 * 60
    assert bt.business_minutes_between(SPEC, at(2026, 10, 2), at(2026, 10, 1)).minutes == 0


def test_24x7_ignores_holidays():
    spec = bt.CalendarSpec(timezone="Asia/Shanghai", hours=bt.parse_hours({}), always_open=True)
    assert bt.add_business_minutes(spec, at(2026, 10, 1, 23, 30), 90).value == at(2026, 10, 2, 1)


@pytest.mark.parametrize(("hours", "message"), [
    ({"mon": [["12:00", "09:00"]]}, "ends before"),
    ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap"),
    ({"mon": [["9am", "12:00"]]}, "HH:MM"),
    ({"funday": []}, "unknown day"),
    ({"mon": [["25:00", "26:00"]]}, "time of day"),
])
def test_parse_hours_rejects_bad_input(hours, message):
    with pytest.raises(ValueError, match=message):
        bt.parse_hours(hours)


def test_no_working_time_raises():
    spec = bt.CalendarSpec(timezone="Asia/Shanghai", hours=bt.parse_hours({}))
    with pytest.raises(bt.NoWorkingTime):
        bt.add_business_minutes(spec, at(2026, 1, 1), 1)


# --- property tests against a minute-by-minute reference ---------------------------------------

def _working_minute(spec, t):
    local = t.astimezone(spec.tz)
    intervals, _missing = spec.day(local.date())
    m = local.hour * 60 + local.minute
    return any(s <= m < e for s, e in intervals)


def reference_add(spec, start, minutes):
    if minutes == 0:
        return start
    t, count = start, 0
    while True:
        if _working_minute(spec, t):
            count += 1
            if count == minutes:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


def reference_between(spec, start, end):
    t, count = start, 0
    while t < end:
        count += _working_minute(spec, t)
        t += timedelta(minutes=1)
    return count


interval_sets = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 240)), max_size=3).map(
    lambda pairs: sorted({(s, min(s + length, 1440)) for s, length in pairs}))


def _non_overlapping(intervals):
    result = []
    for s, e in intervals:
        if not result or s >= result[-1][1]:
            result.append((s, e))
    return tuple(result)


# At least five working hours a week: thinner calendars are refused by design (NoWorkingTime
# beyond three years, tested above) and would make the minute-by-minute reference crawl.
weeks = st.lists(interval_sets.map(_non_overlapping), min_size=7, max_size=7).filter(
    lambda w: sum(e - s for day in w for s, e in day) >= 300)
starts = st.datetimes(min_value=datetime(2026, 9, 15), max_value=datetime(2026, 10, 20)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


@settings(max_examples=60, deadline=None)
@given(week=weeks, start=starts, minutes=st.integers(0, 1500), holidays=st.booleans())
def test_add_matches_reference(week, start, minutes, holidays):
    spec = bt.CalendarSpec(timezone="Asia/Shanghai", hours=tuple(week), use_holidays=holidays,
                           holidays=HOLIDAYS, makeup_workdays=MAKEUP, years_with_data=frozenset({2026}))
    assert bt.add_business_minutes(spec, start, minutes).value == reference_add(spec, start, minutes)


@settings(max_examples=60, deadline=None)
@given(week=weeks, start=starts, span=st.integers(0, 4 * 1440), holidays=st.booleans())
def test_between_matches_reference_and_inverts_add(week, start, span, holidays):
    spec = bt.CalendarSpec(timezone="Asia/Shanghai", hours=tuple(week), use_holidays=holidays,
                           holidays=HOLIDAYS, makeup_workdays=MAKEUP, years_with_data=frozenset({2026}))
    end = start + timedelta(minutes=span)
    counted = bt.business_minutes_between(spec, start, end).minutes
    assert counted == reference_between(spec, start, end)
    if counted:
        # Adding the counted minutes lands at or before `end`, and never before the last work minute.
        due = bt.add_business_minutes(spec, start, counted).value
        assert due <= end
        assert bt.business_minutes_between(spec, start, due).minutes == counted


def test_seeded_data_covers_2004_to_2026():
    assert min(d.year for d in constants.holidays) == 2004
    assert date(2026, 10, 10) in constants.workdays
