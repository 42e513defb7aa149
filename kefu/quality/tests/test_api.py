"""The QA-check API: list/detail scoped to the user, actions through the gate, errors as
{"code","message","fields"} and nothing written on refusal."""

import pytest

from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks

pytestmark = pytest.mark.django_db


def test_list_detail_and_actions(api, cast):
    check = sample_checks(agent=cast["agent"])[0]
    assert api(cast["steward"]).get("/api/v1/qa-checks/").json()["results"] == []
    assert api(cast["steward"]).get(f"/api/v1/qa-checks/{check.pk}/").status_code == 404
    body = api(cast["qa"]).get("/api/v1/qa-checks/?status=pending").json()
    assert [row["id"] for row in body["results"]] == [check.pk]

    response = api(cast["qa"]).post(f"/api/v1/qa-checks/{check.pk}/actions/score/",
                                    {"scores": {**ALL_FULL, "promise": 120}}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == ["scores.promise"]

    response = api(cast["qa"]).post(f"/api/v1/qa-checks/{check.pk}/actions/score/",
                                    {"scores": FAILING, "comment": "未复述", "version": 1}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["score"], data["passed"], data["version"]) == ("scored", "58.50", False, 2)
    assert [(i["code"], i["points"]) for i in data["items"]][:2] == [("greeting", "60.00"), ("logging", "70.00")]

    response = api(cast["qa"]).post(f"/api/v1/qa-checks/{check.pk}/actions/appeal/", {"reason": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_agent")
    response = api(cast["agent"]).post(f"/api/v1/qa-checks/{check.pk}/actions/appeal/", {"reason": "不服"},
                                       format="json")
    assert response.json()["status"] == "appealed"
    response = api(cast["agent"]).post(f"/api/v1/qa-checks/{check.pk}/actions/appeal/", {"reason": "再申诉"},
                                       format="json")
    assert (response.status_code, response.json()["code"]) == (409, "already_appealed")
    response = api(cast["supervisor"]).post(f"/api/v1/qa-checks/{check.pk}/actions/amend/",
                                            {"scores": ALL_FULL, "comment": "复核通过"}, format="json")
    assert (response.json()["status"], response.json()["score"], response.json()["original_score"]) == (
        "final", "100.00", "58.50")
    events = api(cast["agent"]).get(f"/api/v1/qa-checks/{check.pk}/events/").json()
    assert [e["action"] for e in events] == ["sample", "score", "appeal", "amend"]
    assert api(cast["qa"]).post(f"/api/v1/qa-checks/{check.pk}/actions/bogus/", {}, format="json").status_code == 404
