"""The standards board over the reports' fixture month (March 2026, kefu.reports.tests.fixtures):
exact numerators and denominators of the order-based standards, the pending standards saying
"no data", the API contract, and the drill-down lists whose counts are the figures."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kefu.org.selectors import actor_for_user
from kefu.reports.metrics import Period
from kefu.reports.selectors import Scope
from kefu.reports.tests.fixtures import NOW, build_month
from kefu.standards import selectors

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Asia/Shanghai")
CONTRACT = ["code", "name", "rule", "target", "value", "numerator", "denominator", "status", "url"]


@pytest.fixture
def month(cast, org):
    return build_month(cast, org)


def _board(user, **kwargs):
    with time_machine.travel(NOW, tick=False):
        rows = selectors.board(actor=actor_for_user(user), period=MARCH, scope=Scope(), **kwargs)
    return {r["code"]: r for r in rows}


def test_order_figures_equal_the_hand_calculation(month, cast):
    rows = _board(cast["manager"], records=True)
    assert list(rows) == ["three_rings", "walk_in_3min", "suggestion_box_daily", "callback_all", "callback_sampling",
                          "complaint_closed_3d", "satisfaction_95", "survey_twice_yearly", "qa_weekly",
                          "report_cadence", "analysis_cadence", "site_walks", "kpi_manager", "kpi_intake_supervisor"]
    callback = rows["callback_all"]  # A1 A2 called back of A1 A2 A4 A5 (complaints and repairs resolved)
    assert (callback["numerator"], callback["denominator"], callback["value"], callback["status"]) == (2, 4, 0.5, "missed")
    assert len(callback["records"]) == 4 and sum(r["counted"] for r in callback["records"]) == 2
    closed = rows["complaint_closed_3d"]  # A1 of A1 A2 A3
    assert (closed["numerator"], closed["denominator"], closed["status"]) == (1, 3, "missed")
    assert closed["rule"] == {"hours": 72.0}
    assert [r["label"] for r in closed["records"] if r["counted"]] == [month["orders"]["A1"].number]


def test_pending_standards_say_no_data(month, cast):
    rows = _board(cast["manager"])
    for code in ("three_rings", "suggestion_box_daily", "site_walks"):
        assert (rows[code]["status"], rows[code]["value"], rows[code]["denominator"]) == ("no_data", None, 0)
        assert rows[code]["detail"]
    # Nothing measured is no data too, not a 0 % miss.
    assert rows["callback_sampling"]["status"] == "no_data"


def test_api_contract(month, cast, client, django_assert_max_num_queries):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(40):
        response = client.get(reverse("api-standards"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 14
    assert all(list(r)[:9] == CONTRACT for r in rows)
    callback = next(r for r in rows if r["code"] == "callback_all")
    assert (callback["numerator"], callback["denominator"], callback["value"], callback["status"]) == (2, 4, 0.5, "missed")
    assert callback["url"] == "/standards/callback_all/records/?start=2026-03-01&end=2026-03-31"


def test_api_records(month, cast, client):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("api-standard-records", args=["complaint_closed_3d"]),
                              {"start": "2026-03-01", "end": "2026-03-31"})
        missing = client.get(reverse("api-standard-records", args=["nope"]), {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200 and missing.status_code == 404
    data = response.json()
    assert (data["numerator"], data["denominator"]) == (1, 3)
    assert len(data["records"]) == 3
    a1 = next(r for r in data["records"] if r["label"] == month["orders"]["A1"].number)
    assert a1["counted"] is True and a1["cells"] == ["2026-03-10 10:00", "2026-03-11 10:00"]


@pytest.mark.parametrize("params, field", [
    ({"end": "2026-03-31"}, "start"),
    ({"start": "2026-03-31", "end": "2026-03-01"}, "end"),
    ({"start": "2026-03-01", "end": "2026-03-31", "site": "99999"}, "site"),
    ({"start": "2026-03-01", "end": "2026-03-31", "department": "x"}, "department"),
])
def test_api_bad_input_names_the_field(cast, client, params, field):
    client.force_login(cast["manager"])
    response = client.get(reverse("api-standards"), params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_vendors_may_not_read_the_board(cast, client):
    client.force_login(cast["vendor"])
    assert client.get(reverse("api-standards"), {"start": "2026-03-01", "end": "2026-03-31"}).status_code == 403
    assert client.get(reverse("standards:board")).status_code == 403


def test_board_and_records_pages(month, cast, client, django_assert_max_num_queries):
    client.force_login(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(45):
            page = client.get(reverse("standards:board"), {"start": "2026-03-01", "end": "2026-03-31"})
        records = client.get(reverse("standards:records", args=["complaint_closed_3d"]),
                             {"start": "2026-03-01", "end": "2026-03-31"})
    assert page.status_code == 200
    assert page.content.decode().count('class="kefu-standard"') == 14
    assert records.status_code == 200
    assert records.content.decode().count('class="kefu-record-row"') == 3
    assert client.get(reverse("standards:records", args=["nope"]), {"start": "2026-03-01", "end": "2026-03-31"}).status_code == 404
    bad = client.get(reverse("standards:board"), {"start": "2026-13-01", "end": "2026-03-31"})
    assert bad.status_code == 400 and "start" in bad.content.decode()
    assert client.get(reverse("standards:records", args=["qa_weekly"]), {"start": "x", "end": "y"}).status_code == 400
    assert client.get(reverse("standards:export", args=["pdf"]), {"start": "x", "end": "y"}).status_code == 400
