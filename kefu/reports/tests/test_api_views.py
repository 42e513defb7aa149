"""The report API and pages: contract, bad input → 4xx naming the field, denial, query budget,
exports (xlsx = hand calculation, PDF text holds the figures), scheduled delivery."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from kefu.reports.models import GeneratedReport, ReportSchedule
from kefu.reports.tests.fixtures import NOW, build_month

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
# The service-analysis page: three periods (~18 + 2 × 10 queries, one each for the survey campaigns)
# plus session, user and pickers; on PostgreSQL each report read adds SAVEPOINT, SET LOCAL jit = off
# and RELEASE.
PAGE_BUDGET = 55


@pytest.fixture
def month(cast, org):
    return build_month(cast, org)


def test_service_analysis_api_contract(month, api, cast):
    with time_machine.travel(NOW, tick=False):
        response = api(cast["manager"]).get("/api/v1/reports/service-analysis/", MARCH)
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 7
    assert data["by_type"] == {"complaint": 3, "repair": 2, "inquiry": 2}
    for key, expected in (("first_response_on_time_rate", (5, 6)), ("resolution_on_time_rate", (3, 6)),
                          ("callback_coverage", (2, 4)), ("reopen_rate", (1, 5)), ("satisfaction_rate", (1, 2))):
        assert (data[key]["numerator"], data[key]["denominator"]) == expected, key
        assert data[key]["numerator_url"].startswith("/reports/orders/?")
    assert data["satisfaction_rate"]["response_rate"]["denominator"] == 5
    assert "previous" not in data


def test_service_analysis_api_compare(month, api, cast):
    with time_machine.travel(NOW, tick=False):
        data = api(cast["manager"]).get("/api/v1/reports/service-analysis/", {**MARCH, "compare": "1"}).json()
    assert data["previous"]["total"] == 1 and data["last_year"]["total"] == 0


@pytest.mark.parametrize("params, field", [
    ({}, "start"),
    ({"start": "2026-03-01"}, "end"),
    ({"start": "2026-13-01", "end": "2026-03-31"}, "start"),
    ({"start": "2026-03-31", "end": "2026-03-01"}, "end"),
    ({"start": "2020-01-01", "end": "2026-03-01"}, "end"),
    ({**MARCH, "site": "x"}, "site"),
    ({**MARCH, "site": "999999"}, "site"),
    ({**MARCH, "team": "999999"}, "team"),
])
def test_bad_parameters_are_400_naming_the_field(api, cast, params, field):
    response = api(cast["manager"]).get("/api/v1/reports/service-analysis/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"code", "message", "fields"} and field in body["fields"]


@pytest.mark.parametrize("params, field", [
    ({**MARCH, "basis": "nope"}, "basis"),
    ({**MARCH, "condition": "nope"}, "condition"),
    ({**MARCH, "basis": "clock"}, "kind"),
    ({**MARCH, "condition": "sla_met", "kind": "dispatchx"}, "kind"),
    ({**MARCH, "team_of": "abc"}, "team_of"),
])
def test_bad_drill_down_is_400(api, cast, params, field):
    response = api(cast["manager"]).get("/api/v1/reports/orders/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_vendor_and_anonymous_are_refused(api, cast, client):
    assert api(cast["vendor"]).get("/api/v1/reports/service-analysis/", MARCH).status_code == 403
    assert api().get("/api/v1/reports/service-analysis/", MARCH).status_code in (401, 403)
    client.force_login(cast["vendor"])
    assert client.get(reverse("reports:service_analysis"), MARCH).status_code == 403
    response = client.get(reverse("reports:export", args=["service_analysis", "xlsx"]), MARCH)
    assert response.status_code == 403
    assert not GeneratedReport.objects.exists()


def test_unknown_report_is_404(api, cast, client):
    assert api(cast["manager"]).get("/api/v1/reports/nope/", MARCH).status_code == 404
    client.force_login(cast["manager"])
    assert client.get("/reports/export/nope.xlsx", MARCH).status_code == 404
    assert client.get("/reports/export/evidence.pdf", MARCH).status_code == 404


@pytest.mark.parametrize("language, text", [("zh-hans", "服务分析"), ("en", "Service analysis")])
def test_report_page_in_both_languages_with_bounded_queries(month, client, cast, language, text,
                                                            django_assert_max_num_queries):
    from kefu.org.models import Staff

    Staff.objects.filter(user=cast["manager"]).update(language=language)
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(reverse("reports:service_analysis"), MARCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body
    assert 'data-figure="total" href="/reports/orders/?' in body


def test_report_page_query_count_does_not_grow_with_orders(month, client, cast, django_assert_max_num_queries):
    from kefu.workorders.tests.factories import make_work_order

    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(PAGE_BUDGET) as small:
            client.get(reverse("reports:service_analysis"), MARCH)
    with time_machine.travel(dt.datetime(2026, 3, 30, 10, tzinfo=NOW.tzinfo), tick=False):
        for i in range(15):
            make_work_order(actor=cast["agent"], type=("repair", "inquiry", "complaint")[i % 3])
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(reverse("reports:service_analysis"), MARCH)
    assert response.context["report"]["total"] == 22


def test_other_pages_query_budgets(month, client, cast, django_assert_max_num_queries):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(25):
            assert client.get(reverse("reports:type_report", args=["complaint"]), MARCH).status_code == 200
        with django_assert_max_num_queries(20):
            assert client.get(reverse("reports:dashboard")).status_code == 200
        with django_assert_max_num_queries(20):
            response = client.get(reverse("reports:orders"), {**MARCH, "basis": "received"})
        assert response.status_code == 200 and response.context["page"].paginator.count == 7


def test_bad_period_on_the_page_marks_the_field(client, cast):
    client.force_login(cast["manager"])
    response = client.get(reverse("reports:service_analysis"), {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 400
    assert 'id="id_end"' in response.content.decode() and "is-invalid" in response.content.decode()


def test_type_reports_duty_log_dashboard_pages(month, client, cast):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        for kind in ("complaint", "inquiry", "business_change"):
            assert client.get(reverse("reports:type_report", args=[kind]), MARCH).status_code == 200
        log = client.get(reverse("reports:duty_log"), {"day": "2026-03-20", "shift": "all"})
        assert log.status_code == 200
        assert [o.number for o in log.context["log"]["received"]] == [month["orders"]["A2"].number,
                                                                      month["orders"]["A6"].number]
        day_shift = client.get(reverse("reports:duty_log"), {"day": "2026-03-20", "shift": "night"})
        assert day_shift.context["log"]["received"] == []
        assert client.get(reverse("reports:duty_log"), {"day": "x"}).status_code == 400
        assert client.get(reverse("reports:duty_log"), {"shift": "x"}).status_code == 400
        board = client.get(reverse("reports:dashboard"))
        assert board.status_code == 200 and 'hx-trigger="every 30s"' in board.content.decode()
        panel = client.get(reverse("reports:dashboard"), headers={"HX-Request": "true"})
        assert panel.status_code == 200 and "<html" not in panel.content.decode()
        assert panel.context["board"]["overdue"] >= 1  # A3's resolution clock


def _xlsx(content):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def test_xlsx_export_equals_the_hand_calculation(month, client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False), __import__("django").utils.translation.override("en"):
        response = client.get(reverse("reports:export", args=["service_analysis", "xlsx"]), MARCH,
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = _xlsx(b"".join(response.streaming_content))
    assert len(book.sheetnames) >= 8
    summary = book[book.sheetnames[0]]
    rows = {row[0]: row[1:4] for row in summary.iter_rows(min_row=3, values_only=True)}
    values = list(rows.values())
    assert values[0][0] == 7  # received
    numerators = [(v[1], v[2]) for v in values[1:11]]
    assert numerators == [(5, 6), (3, 6), (4, 6), (1, 5), (1, 3), (1, 3), (2, 4), (2, 3), (1, 2), (1, 2)]
    assert GeneratedReport.objects.filter(report="service_analysis", file_format="xlsx",
                                          generated_by=cast["manager"]).count() == 1


def test_pdf_export_text_contains_the_figures(month, client, cast, settings, tmp_path):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:export", args=["complaint", "pdf"]), MARCH)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "66.7%" in text  # first-response on time 2/3
    assert "33.3%" in text  # resolution on time 1/3
    # the per-type report's charts: channel, Pareto, on-time rates (no trend or type: one type)
    charts = {name.split("KefuChart-")[1] for page in reader.pages
              for name in (page["/Resources"].get("/XObject") or {}) if "KefuChart-" in name}
    assert charts == {"channel", "pareto", "on_time"}


def test_evidence_export(month, client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:export", args=["evidence", "xlsx"]), MARCH)
    assert response.status_code == 200
    sheet = _xlsx(b"".join(response.streaming_content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [month["orders"][k].number for k in ("A3", "A1", "A2")]
    a1 = rows[1]
    assert a1[5] == "2026-03-10 10:10"  # acknowledged (accepted)
    assert a1[8] == "2026-03-11 10:00"  # resolved
    assert a1[12] == "5/5/5"


def test_scheduled_delivery_generates_once_and_emails_a_link(month, cast, settings, tmp_path):
    from kefu.notifications.models import OutboundMessage
    from kefu.reports import services

    settings.MEDIA_ROOT = tmp_path
    schedule = services.report_schedule_create(actor_user=cast["manager"], name="月度服务分析",
                                               report="service_analysis", frequency="monthly",
                                               recipients=["boss@example.com"])
    with time_machine.travel(dt.datetime(2026, 4, 1, 8, 59, tzinfo=NOW.tzinfo), tick=False):
        first = services.report_schedules_run(base_url="http://kefu.test")
    assert [(g.period_start, g.period_end) for g in first] == [(dt.date(2026, 2, 1), dt.date(2026, 2, 28))]
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 5, tzinfo=NOW.tzinfo), tick=False):
        done = services.report_schedules_run(base_url="http://kefu.test")
        again = services.report_schedules_run(base_url="http://kefu.test")
    assert [(g.period_start, g.period_end) for g in done] == [(dt.date(2026, 3, 1), dt.date(2026, 3, 31))]
    assert again == []
    assert GeneratedReport.objects.filter(schedule=schedule).count() == 2
    message = OutboundMessage.objects.filter(to_address="boss@example.com").order_by("id").last()
    assert f"http://kefu.test/reports/generated/{done[0].pk}/" in message.body


@pytest.mark.parametrize("values, field", [
    ({"recipients": []}, "recipients"),
    ({"recipients": ["not-an-address"]}, "recipients"),
    ({"frequency": "daily"}, "frequency"),
    ({"report": "evidence", "file_format": "pdf"}, "file_format"),
    ({"name": " "}, "name"),
    ({"scope": {"site": 999999}}, "scope.site"),
])
def test_bad_schedule_is_refused_and_nothing_written(cast, values, field):
    from kefu.core.errors import InvalidInput
    from kefu.reports import services

    args = {"name": "周报", "report": "complaint", "frequency": "weekly", "recipients": ["a@example.com"], **values}
    with pytest.raises(InvalidInput) as error:
        services.report_schedule_create(actor_user=cast["manager"], **args)
    assert field in error.value.fields
    assert not ReportSchedule.objects.exists()


def test_generated_history_is_scoped(month, client, cast, settings, tmp_path):
    from kefu.org.selectors import actor_for_user
    from kefu.reports import selectors, services
    from kefu.reports.metrics import Period

    settings.MEDIA_ROOT = tmp_path
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with time_machine.travel(NOW, tick=False):
        mine = services.report_generate(actor_user=cast["supervisor"], report="inquiry", file_format="xlsx",
                                        period=period, scope=selectors.Scope())
    client.force_login(cast["steward"])  # department visibility, not the owner
    assert client.get(reverse("reports:generated_download", args=[mine.pk])).status_code == 404
    assert mine not in selectors.generated_for_actor(actor=actor_for_user(cast["steward"]))
    client.force_login(cast["supervisor"])
    assert client.get(reverse("reports:generated_download", args=[mine.pk])).status_code == 200
    page = client.get(reverse("reports:generated"))
    assert page.status_code == 200 and f"/reports/generated/{mine.pk}/" in page.content.decode()
