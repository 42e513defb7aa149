""""Previous period" and "same period last year", exhaustively over every month, quarter, year,
week and many custom ranges of 2024–2027 (month ends, 29 February, year boundaries). The expected
periods are built independently of `Period.previous` (from the calendar module), so a wrong rule
fails here."""

import calendar
import datetime as dt

import pytest

from kefu.reports.metrics import Period

YEARS = range(2024, 2028)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("month", range(1, 13))
def test_a_calendar_month_compares_with_the_previous_calendar_month(year, month):
    start, end = _month(year, month)
    period = Period(start, end)
    assert period.kind == "month"
    assert period.months == 1
    expected = _month(*_month_before(year, month))
    previous = period.previous()
    assert (previous.start, previous.end) == expected
    assert previous.timezone == "Asia/Shanghai"
    assert previous.end + dt.timedelta(days=1) == start  # no gap, no overlap
    # the same whole month a year earlier (February 2025 → 1–29 February 2024)
    last = period.last_year()
    assert (last.start, last.end) == _month(year - 1, month)


def test_month_examples_at_the_edges():
    assert Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)).previous() == Period(dt.date(2026, 11, 1),
                                                                                      dt.date(2026, 11, 30))
    assert Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)).previous() == Period(dt.date(2024, 12, 1),
                                                                                    dt.date(2024, 12, 31))
    assert Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)).previous() == Period(dt.date(2024, 2, 1),
                                                                                    dt.date(2024, 2, 29))
    assert Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)).previous() == Period(dt.date(2025, 2, 1),
                                                                                    dt.date(2025, 2, 28))
    # March has 31 days and February 28 or 29: never "29 January – 28 February"
    assert Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).previous().start == dt.date(2026, 2, 1)
    assert Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29)).last_year() == Period(dt.date(2023, 2, 1),
                                                                                     dt.date(2023, 2, 28))


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("quarter", range(4))
def test_a_calendar_quarter_compares_with_the_previous_quarter(year, quarter):
    first = 3 * quarter + 1
    start, end = _month(year, first)[0], _month(year, first + 2)[1]
    period = Period(start, end)
    assert period.kind == "quarter"
    before_year, before_first = (year - 1, 10) if quarter == 0 else (year, first - 3)
    expected = (_month(before_year, before_first)[0], _month(before_year, before_first + 2)[1])
    assert (period.previous().start, period.previous().end) == expected
    assert period.previous().kind == "quarter"


@pytest.mark.parametrize("year", YEARS)
def test_a_calendar_year_compares_with_the_previous_year(year):
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert period.kind == "year"
    assert period.previous() == Period(dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    assert period.last_year() == period.previous()


@pytest.mark.parametrize("year", YEARS)
def test_runs_of_whole_months_compare_with_as_many_months_before(year):
    for first in range(1, 13):
        for count in (2, 4, 6):
            start = _month(year, first)[0]
            index = year * 12 + first - 1 + count - 1
            end = _month(index // 12, index % 12 + 1)[1]
            period = Period(start, end)
            assert period.months == count
            previous = period.previous()
            assert previous.months == count
            assert previous.end + dt.timedelta(days=1) == start
            before = year * 12 + first - 1 - count
            assert previous.start == dt.date(before // 12, before % 12 + 1, 1)


def _days(year):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", YEARS)
def test_a_week_compares_with_the_previous_week(year):
    mondays = [d for d in _days(year) if d.weekday() == 0]
    assert len(mondays) in (52, 53)
    for monday in mondays:
        period = Period(monday, monday + dt.timedelta(days=6))
        assert period.kind == "week"
        previous = period.previous()
        assert (previous.start, previous.end) == (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        assert previous.start.weekday() == 0 and previous.kind == "week"


@pytest.mark.parametrize("year", YEARS)
def test_a_custom_range_keeps_its_length(year):
    for start in _days(year):
        for length in (1, 2, 10, 28, 30, 31, 45, 90):
            end = start + dt.timedelta(days=length - 1)
            period = Period(start, end)
            if period.months is not None or (length == 7 and start.weekday() == 0):
                continue  # whole months (the cases above)
            assert period.kind == "custom"
            previous = period.previous()
            assert previous.days == length
            assert previous.end == start - dt.timedelta(days=1)
            assert previous.start == start - dt.timedelta(days=length)


def test_a_month_not_started_on_the_first_is_a_custom_range():
    # 2 March – 31 March: 30 days, compared with the 30 days before (1 – 1 March is not a month)
    period = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 31))
    assert period.kind == "custom"
    assert period.previous() == Period(dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    # 1 – 30 March is not whole months either
    assert Period(dt.date(2026, 3, 1), dt.date(2026, 3, 30)).previous() == Period(dt.date(2026, 1, 30),
                                                                                    dt.date(2026, 2, 28))


def test_same_period_last_year_of_a_custom_range_ending_29_february():
    period = Period(dt.date(2024, 2, 20), dt.date(2024, 2, 29))
    assert period.last_year() == Period(dt.date(2023, 2, 20), dt.date(2023, 2, 28))
