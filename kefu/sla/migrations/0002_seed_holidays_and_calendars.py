"""Seed China's holidays and make-up workdays 2004–2026 from chinese-calendar (official State
Council data), plus two calendars: 24×7 and standard office hours."""

from django.db import migrations

OFFICE = {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
          "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
          "fri": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [], "sun": []}


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    Holiday = apps.get_model("sla", "Holiday")
    HolidayYear = apps.get_model("sla", "HolidayYear")
    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    rows = [Holiday(date=d, kind="holiday", name=str(getattr(v, "value", v))) for d, v in constants.holidays.items()]
    rows += [Holiday(date=d, kind="workday", name=str(getattr(v, "value", v))) for d, v in constants.workdays.items()]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    years = sorted({d.year for d in constants.holidays})
    source = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    for year in years:
        HolidayYear.objects.get_or_create(year=year, defaults={"source": source})
    WorkCalendar.objects.get_or_create(name="7×24", defaults={"always_open": True, "use_china_holidays": False,
                                                              "hours": {}})
    WorkCalendar.objects.get_or_create(name="办公时间", defaults={"hours": OFFICE, "use_china_holidays": True})


def unseed(apps, schema_editor):
    apps.get_model("sla", "Holiday").objects.all().delete()
    apps.get_model("sla", "HolidayYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_create_calendars")]
    operations = [migrations.RunPython(seed, unseed)]
