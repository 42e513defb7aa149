"""The routing-rule API contract: fields, precedence order, who may use it, bad input."""

import pytest

from kefu.routing.models import RoutingRule
from kefu.workorders.tests.factories import category_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/routing-rules/"


def test_supervisor_creates_and_lists_rules_in_precedence_order(api, org, cast):
    client = api(cast["supervisor"])
    category = category_for("repair")
    first = client.post(URL, {"priority": 20, "type": "repair", "category": category.pk, "team": org["mep"].pk,
                              "assignment": "round_robin"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert {k: body[k] for k in ("priority", "type", "category", "site", "building", "channel", "complaint_level",
                                 "team", "assignment", "is_default")} == {
        "priority": 20, "type": "repair", "category": category.pk, "site": None, "building": None, "channel": "",
        "complaint_level": None, "team": org["mep"].pk, "assignment": "round_robin", "is_default": False}
    second = client.post(URL, {"priority": 5, "channel": "walk_in", "team": org["front"].pk})
    assert second.status_code == 201 and second.json()["assignment"] == "none"
    listed = client.get(URL)
    assert listed.status_code == 200
    assert [r["priority"] for r in listed.json()] == [5, 20]
    changed = client.patch(f"{URL}{body['id']}/", {"priority": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["priority"] == 1
    assert [r["id"] for r in client.get(URL).json()][0] == body["id"]


@pytest.mark.parametrize("who", ["agent", "steward", "technician", "vendor", "qa", "clerk"])
def test_other_roles_may_not_read_or_write_rules(api, org, cast, who):
    client = api(cast[who])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"priority": 1, "team": org["mep"].pk}).status_code == 403
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"priority": 1}, "team"),
    ({"priority": 1, "team": 999999}, "team"),
    ({"priority": "first", "team": "MEP"}, "priority"),
    ({"priority": 1, "team": "MEP", "assignment": "random"}, "assignment"),
    ({"priority": 1, "team": "MEP", "type": "repair", "complaint_level": 2}, "complaint_level"),
    ({"priority": 1, "team": "MEP", "time_from": "22:00"}, "time_until"),
    ({"priority": 10_000_000, "team": "MEP"}, "priority"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, org, cast, body, field):
    if body.get("team") == "MEP":
        body = {**body, "team": org["mep"].pk}
    response = api(cast["supervisor"]).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not RoutingRule.objects.exists()


def test_a_department_that_is_not_a_team_is_refused(api, org, cast):
    response = api(cast["supervisor"]).post(URL, {"priority": 1, "team": org["cs"].pk}, format="json")
    assert response.status_code == 400 and "team" in response.json()["fields"]
    assert not RoutingRule.objects.exists()


def test_absences_api(api, org, cast):
    client = api(cast["supervisor"])
    response = client.post("/api/v1/routing-absences/", {
        "user": cast["technician"].pk, "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-01T09:00:00+08:00"}, format="json")
    assert response.status_code == 400 and "ends_at" in str(response.json())
    response = client.post("/api/v1/routing-absences/", {
        "user": cast["technician"].pk, "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-03T09:00:00+08:00", "reason": "培训"}, format="json")
    assert response.status_code == 201
    assert api(cast["technician"]).get("/api/v1/routing-absences/").status_code == 403
