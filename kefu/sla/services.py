"""Writes to work calendars and the holiday table, and the due-time preview."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.sla import business_time
from kefu.sla.choices import HolidayKind
from kefu.sla.models import Holiday, HolidayYear, WorkCalendar
from kefu.sla.selectors import calendar_spec


def _clean(name: str, timezone: str, hours) -> dict:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name is required."), fields={"name": [_("This field is required.")]})
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Unknown time zone."), fields={"timezone": [_("Unknown time zone.")]}) from None
    try:
        parsed = business_time.parse_hours(hours)
    except ValueError as exc:
        message = _("Invalid working hours: %(error)s") % {"error": exc}
        raise InvalidInput(message, fields={"hours": [message]}) from None
    return {"name": name, "timezone": timezone, "hours": business_time.format_hours(parsed)}


@transaction.atomic
def calendar_create(*, name: str, hours: dict, timezone: str = "Asia/Shanghai", use_china_holidays: bool = True,
                    always_open: bool = False, team=None) -> WorkCalendar:
    """Create a calendar after validating the time zone and the weekday intervals."""
    values = _clean(name, timezone, hours if not always_open else (hours or {}))
    if WorkCalendar.objects.filter(name=values["name"]).exists():
        raise InvalidInput(_("A calendar with this name exists."),
                           fields={"name": [_("A calendar with this name exists.")]})
    if not always_open and not any(business_time.parse_hours(values["hours"])):
        raise InvalidInput(_("A calendar needs working hours on at least one day."),
                           fields={"hours": [_("A calendar needs working hours on at least one day.")]})
    return WorkCalendar.objects.create(use_china_holidays=use_china_holidays, always_open=always_open, team=team,
                                       **values)


def missing_year_warnings(years) -> list[str]:
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


@transaction.atomic
def holidays_import(*, rows: list[dict], source: str) -> dict:
    """Replace the holiday arrangement of every year present in `rows` (date, kind, name).

    All-or-nothing: one bad row rejects the whole file with its row number. The years become
    "known", so the fallback warning disappears for them.
    """
    parsed: list[tuple[date, str, str]] = []
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        raw_date = (row.get("date") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        kind = {"休": "holiday", "假": "holiday", "班": "workday", "补班": "workday"}.get(kind, kind)
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            errors.setdefault("date", []).append(_("Row %(row)s: “%(value)s” is not a date (YYYY-MM-DD).")
                                                  % {"row": number, "value": raw_date})
            continue
        if kind not in HolidayKind.values:
            errors.setdefault("kind", []).append(_("Row %(row)s: kind must be holiday or workday.") % {"row": number})
            continue
        parsed.append((day, kind, (row.get("name") or "").strip()[:100]))
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors)
    if not parsed:
        raise InvalidInput(_("The file has no rows."), fields={"file": [_("The file has no rows.")]})
    years = sorted({d.year for d, _k, _n in parsed})
    for year in years:
        Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create([Holiday(date=d, kind=k, name=n) for d, k, n in parsed])
    for year in years:
        HolidayYear.objects.update_or_create(year=year, defaults={"source": source[:100]})
    return {"years": years, "days": len(parsed)}


def holidays_import_csv(*, content: bytes, source: str) -> dict:
    """CSV with a header `date,kind,name` (UTF-8, with or without BOM)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file must be UTF-8 CSV."), fields={"file": [_("The file must be UTF-8 CSV.")]}) \
            from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"date", "kind"} <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput(_("The header must contain date and kind."),
                           fields={"file": [_("The header must contain date and kind.")]})
    rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    return holidays_import(rows=rows, source=source)
