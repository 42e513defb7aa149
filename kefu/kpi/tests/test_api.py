"""The KPI API: scorecards scoped to the user, manual entry and sign-off through the services, the
weights rule on templates as a clear 400."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from kefu.kpi.tests.factories import make_scorecard

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture(autouse=True)
def _in_q4():
    with time_machine.travel(NOW, tick=True):
        yield


def test_scorecards_api(api, cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    assert api(cast["agent"]).get("/api/v1/kpi/scorecards/").json()["results"] == []
    assert api(cast["agent"]).get(f"/api/v1/kpi/scorecards/{card.pk}/").status_code == 404
    assert [r["id"] for r in api(cast["manager"]).get("/api/v1/kpi/scorecards/?year=2026&quarter=4").json()[
        "results"]] == [card.pk]
    detail = api(cast["supervisor"]).get(f"/api/v1/kpi/scorecards/{card.pk}/").json()
    assert [(ln["indicator"], ln["weight"]) for ln in detail["lines"]] == [
        ("complaint_satisfaction", "40.00"), ("report_timeliness", "20.00"), ("internal_satisfaction", "10.00"),
        ("team_skill", "10.00"), ("service_quality", "10.00"), ("mbo", "10.00")]
    assert detail["lines"][0]["drilldown_url"] == f"/kpi/scorecards/{card.pk}/lines/complaint_satisfaction/"
    assert detail["lines"][1]["drilldown_url"] is None

    url = f"/api/v1/kpi/scorecards/{card.pk}/"
    r = api(cast["manager"]).post(url + "enter/", {"indicator": "mbo", "value": "101"}, format="json")
    assert (r.status_code, list(r.json()["fields"])) == (400, ["value"])
    r = api(cast["supervisor"]).post(url + "enter/", {"indicator": "mbo", "value": "90"}, format="json")
    assert (r.status_code, r.json()["code"]) == (403, "own_scorecard")
    r = api(cast["manager"]).post(url + "sign-off/", {}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "manual_missing")
    for code in ("mbo", "internal_satisfaction", "report_timeliness"):
        r = api(cast["manager"]).post(url + "enter/", {"indicator": code, "value": "100"}, format="json")
        assert r.status_code == 200
    assert r.json()["total_score"] == "40.00"
    r = api(cast["manager"]).post(url + "sign-off/", {"version": r.json()["version"]}, format="json")
    assert (r.json()["status"], r.json()["total_score"]) == ("signed_off", "40.00")
    r = api(cast["manager"]).post(url + "enter/", {"indicator": "mbo", "value": "0"}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "locked")


def test_template_weights_400(api, cast):
    body = {"code": "AG", "name": "客服员季度考核", "role": "agent", "indicators": [
        {"code": "sat", "name": "满意率", "weight": "70", "source": "satisfaction", "rule": "linear", "floor": "80",
         "target": "95"},
        {"code": "qa", "name": "质检均分", "weight": "20", "source": "qa_average", "rule": "linear", "floor": "60",
         "target": "90"}]}
    r = api(cast["administrator"]).post("/api/v1/kpi/templates/", body, format="json")
    assert r.status_code == 400
    assert r.json() == {"code": "weights_sum",
                        "message": "indicators：权重合计 90.00%，必须等于 100%。",
                        "fields": {"indicators": ["indicators：权重合计 90.00%，必须等于 100%。"]}}
    body["indicators"][1]["weight"] = "30"
    r = api(cast["administrator"]).post("/api/v1/kpi/templates/", body, format="json")
    assert r.status_code == 201 and [i["weight"] for i in r.json()["indicators"]] == ["70.00", "30.00"]
    assert api(cast["manager"]).post("/api/v1/kpi/templates/", {**body, "code": "AG2"},
                                     format="json").status_code == 403
    codes = [t["code"] for t in api(cast["agent"]).get("/api/v1/kpi/templates/").json()["results"]]
    assert codes == ["AG", "CS-INTAKE-SUPERVISOR-Q", "CS-MANAGER-Q"]
