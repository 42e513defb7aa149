"""Calendar API: creation by administrators, the due preview with the issue's examples."""

import pytest

from kefu.sla.models import Holiday, HolidayYear, WorkCalendar
from kefu.sla.services import holidays_import_csv

OFFICE = {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
          "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
          "fri": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [], "sun": []}


@pytest.fixture
def office(api, superuser):
    response = api(superuser).post("/api/v1/calendars/", {"name": "office", "timezone": "Asia/Shanghai",
                                                          "use_china_holidays": True, "hours": OFFICE}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.mark.parametrize(("start", "minutes", "due", "warnings"), [
    ("2026-09-30T10:00:00+08:00", 960, "2026-10-09T10:00:00+08:00", []),
    ("2026-09-19T14:00:00+08:00", 240, "2026-09-20T14:00:00+08:00", []),
    ("2026-10-09T17:30:00+08:00", 60, "2026-10-10T09:30:00+08:00", []),
    ("2026-12-31T17:00:00+08:00", 120, "2027-01-01T10:00:00+08:00", ["2027 holiday data missing"]),
    ("2026-09-30T02:00:00Z", 60, "2026-09-30T11:00:00+08:00", []),
], ids=["national_day", "makeup_sunday", "makeup_saturday", "missing_2027", "utc_input"])
def test_due_preview(api, superuser, office, start, minutes, due, warnings, settings):
    settings.LANGUAGE_CODE = "en"
    response = api(superuser).get(f"/api/v1/calendars/{office}/due/", {"start": start, "minutes": minutes},
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    assert response.json() == {"due": due, "warnings": warnings}


def test_due_preview_is_open_to_staff(api, cast, office):
    response = api(cast["agent"]).get(f"/api/v1/calendars/{office}/due/",
                                      {"start": "2026-10-09T17:30:00+08:00", "minutes": 60})
    assert response.json()["due"] == "2026-10-10T09:30:00+08:00"


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-10-09T17:30:00", "minutes": 60}, "start"),
    ({"start": "not a date", "minutes": 60}, "start"),
    ({"start": "2026-10-09T17:30:00+08:00", "minutes": -1}, "minutes"),
    ({"start": "2026-10-09T17:30:00+08:00"}, "minutes"),
])
def test_due_preview_rejects_bad_input(api, superuser, office, params, field):
    response = api(superuser).get(f"/api/v1/calendars/{office}/due/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_only_administrators_create_calendars(api, cast):
    before = WorkCalendar.objects.count()
    response = api(cast["manager"]).post("/api/v1/calendars/", {"name": "x", "hours": OFFICE}, format="json")
    assert response.status_code == 403
    assert WorkCalendar.objects.count() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "bad", "hours": {"mon": [["18:00", "09:00"]]}}, "hours"),
    ({"name": "bad", "timezone": "Mars/Olympus", "hours": OFFICE}, "timezone"),
    ({"name": "bad", "hours": {}}, "hours"),
    ({"name": "", "hours": OFFICE}, "name"),
])
def test_create_rejects_bad_calendars(api, superuser, body, field):
    before = WorkCalendar.objects.count()
    response = api(superuser).post("/api/v1/calendars/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert WorkCalendar.objects.count() == before


def test_importing_2027_removes_the_warning(api, superuser, office):
    # given the State Council's 2027 notice typed in as CSV (New Year's Day off, one make-up day)
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n2027-01-09,workday,元旦\n"
    result = holidays_import_csv(content=csv.encode(), source="test")
    assert result == {"years": [2027], "days": 4, "clocks_updated": 0}
    # then 2027-01-01 is off and the warning is gone
    response = api(superuser).get(f"/api/v1/calendars/{office}/due/",
                                  {"start": "2026-12-31T17:00:00+08:00", "minutes": 120})
    assert response.json() == {"due": "2027-01-04T10:00:00+08:00", "warnings": []}


def test_import_is_all_or_nothing(db):
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,坏行\n"
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as excinfo:
        holidays_import_csv(content=csv.encode(), source="test")
    assert "Row 3" in excinfo.value.message or "第" in excinfo.value.message
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_xlsx_import_with_chinese_headers(db):
    import io
    from datetime import date

    import openpyxl

    from kefu.sla.services import holidays_import_xlsx

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([date(2027, 10, 1), "休", "国庆节"])
    sheet.append(["2027-09-26", "班", "国庆节"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert holidays_import_xlsx(content=buffer.getvalue(), source="t") == {"years": [2027], "days": 2,
                                                                               "clocks_updated": 0}
    assert dict(Holiday.objects.filter(date__year=2027).values_list("date", "kind")) == {
        date(2027, 10, 1): "holiday", date(2027, 9, 26): "workday"}


def test_admin_upload_page(client, superuser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(superuser)
    assert client.get("/admin/sla/holidayyear/import/").status_code == 200
    bad = SimpleUploadedFile("h.csv", b"date,kind\n2027-02-30,holiday\n", content_type="text/csv")
    response = client.post("/admin/sla/holidayyear/import/", {"file": bad})
    assert response.status_code == 200 and not HolidayYear.objects.filter(year=2027).exists()
    good = SimpleUploadedFile("h.csv", b"date,kind,name\n2027-01-01,holiday,New Year\n", content_type="text/csv")
    response = client.post("/admin/sla/holidayyear/import/", {"file": good})
    assert response.status_code == 302
    assert HolidayYear.objects.filter(year=2027).exists()
