"""The calendar editor: working hours as days × time ranges (never raw JSON), validated per day in
the user's language; holiday names in Chinese."""

import pytest
from django.utils import translation

from kefu.sla.forms import WorkCalendarForm, WorkingHoursWidget
from kefu.sla.models import Holiday, WorkCalendar

pytestmark = pytest.mark.django_db

CHANGE = "/admin/sla/workcalendar/{}/change/"
ADD = "/admin/sla/workcalendar/add/"


def _post(ranges: dict, **fields) -> dict:
    data = {"name": "客服中心排班", "timezone": "Asia/Shanghai", "use_china_holidays": "on", **fields}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        for n in range(4):
            start, end = (ranges.get(day) or [])[n] if n < len(ranges.get(day) or []) else ("", "")
            data[f"hours_{day}_{n}_start"], data[f"hours_{day}_{n}_end"] = start, end
    return data


def test_the_form_stores_days_and_ranges_normalised():
    form = WorkCalendarForm(data=_post({"mon": [("13:00", "18:00"), ("9:00", "12:00")], "sat": [("09:00", "24:00")]}))
    assert form.is_valid(), form.errors
    calendar = form.save()
    assert calendar.hours == {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [], "wed": [], "thu": [],
                              "fri": [], "sat": [["09:00", "24:00"]], "sun": []}


@pytest.mark.parametrize(("ranges", "message"), [
    ({"tue": [("09:00", "")]}, "星期二：每个时段都要填写开始和结束时间。"),
    ({"wed": [("18:00", "09:00")]}, "星期三：18:00–09:00 结束时间早于开始时间。"),
    ({"thu": [("09:00", "12:00"), ("11:00", "14:00")]}, "星期四：09:00–12:00 与 11:00–14:00 重叠。"),
    ({"fri": [("25:00", "26:00")]}, "星期五：“25:00”不是有效的时间。"),
    ({}, "工作日历至少需要有一天设置工作时间。"),
])
def test_bad_hours_are_refused_naming_the_day_in_chinese(ranges, message):
    with translation.override("zh-hans"):
        form = WorkCalendarForm(data=_post(ranges))
        assert not form.is_valid()
        assert form.errors["hours"] == [message]
    assert WorkCalendar.objects.filter(name="客服中心排班").count() == 0


def test_bad_hours_in_english():
    with translation.override("en"):
        form = WorkCalendarForm(data=_post({"wed": [("18:00", "09:00")]}))
        assert not form.is_valid()
        assert form.errors["hours"] == ["Wednesday: 18:00–09:00 ends before it starts."]


def test_an_always_open_calendar_needs_no_hours_and_a_bad_zone_is_refused():
    assert WorkCalendarForm(data=_post({}, always_open="on")).is_valid()
    form = WorkCalendarForm(data=_post({"mon": [("09:00", "18:00")]}, timezone="Mars/Olympus"))
    assert not form.is_valid() and list(form.errors) == ["timezone"]


def test_the_widget_shows_every_stored_range_even_more_than_four():
    hours = {"mon": [["08:00", "09:00"], ["10:00", "11:00"], ["12:00", "13:00"], ["14:00", "15:00"],
                     ["16:00", "24:00"]]}
    html = WorkingHoursWidget().render("hours", hours, attrs={"id": "id_hours"})
    assert html.count('name="hours_mon_') == 10 and html.count('name="hours_sun_') == 10
    assert 'type="text" name="hours_mon_4_end" id="id_hours_mon_4_end" value="24:00"' in html
    assert 'type="time" name="hours_mon_0_start" id="id_hours_mon_0_start" value="08:00"' in html


def test_the_admin_edits_a_calendar_through_the_editor(client, cast):
    calendar = WorkCalendar.objects.get(name="办公时间")
    client.force_login(cast["administrator"])
    page = client.get(CHANGE.format(calendar.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="hours"' not in body  # no raw JSON textarea
    assert 'value="13:00"' in body and "星期一" in body
    response = client.post(CHANGE.format(calendar.pk), _post({"mon": [("08:30", "17:30")]}, name="办公时间"))
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.hours["mon"] == [["08:30", "17:30"]] and calendar.hours["tue"] == []
    refused = client.post(CHANGE.format(calendar.pk), _post({"mon": [("17:30", "08:30")]}, name="办公时间"))
    assert refused.status_code == 200 and "结束时间早于开始时间" in refused.content.decode()
    calendar.refresh_from_db()
    assert calendar.hours["mon"] == [["08:30", "17:30"]]


def test_holiday_names_are_chinese():
    names = set(Holiday.objects.exclude(name="").values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节"} <= names
    assert not any(ch.isascii() and ch.isalpha() for name in names for ch in name)
