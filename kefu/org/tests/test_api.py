"""Teams and staff endpoints: what the intake and dispatch forms offer."""

import pytest

pytestmark = pytest.mark.django_db


def test_teams(api, cast, org):
    org["vend"].is_active = False
    org["vend"].save()
    rows = api(cast["agent"]).get("/api/v1/teams/").json()
    assert [r["code"] for r in rows] == ["FRONT", "STW", "MEP", "OTEAM"]
    front = rows[0]
    assert front == {"id": org["front"].pk, "code": "FRONT", "name": "前台组", "kind": "team",
                     "parent": org["cs"].pk, "parent_name": "客服中心"}


def test_team_detail_and_non_team_404(api, cast, org):
    client = api(cast["agent"])
    assert client.get(f"/api/v1/teams/{org['mep'].pk}/").json()["code"] == "MEP"
    assert client.get(f"/api/v1/teams/{org['eng'].pk}/").status_code == 404


def test_staff_list(api, cast, org):
    body = api(cast["agent"]).get("/api/v1/staff/", {"page_size": 100}).json()
    assert body["count"] == 12
    agent = next(r for r in body["results"] if r["username"] == "agent")
    assert agent == {"id": cast["agent"].pk, "username": "agent", "display_name": cast["agent"].staff.display_name,
                     "employee_no": cast["agent"].staff.employee_no, "role": "agent",
                     "department": org["front"].pk, "department_name": "前台组"}


@pytest.mark.parametrize(("params", "expected"), [
    ({"team": "mep"}, ["technician"]),
    ({"team": "eng"}, ["technician", "vendor"]),
    ({"team": "cs"}, ["agent", "clerk", "qa", "steward", "supervisor"]),
    ({"role": "technician"}, ["other_tech", "technician"]),
    ({"team": "cs", "role": "qa"}, ["qa"]),
    ({"team": 999999}, []),
], ids=["team_case", "department_subtree_case", "cs_subtree_case", "role_case", "team_and_role_case",
        "unknown_team_case"])
def test_staff_filters(api, cast, org, params, expected):
    params = {k: (org[v].pk if k == "team" and isinstance(v, str) else v) for k, v in params.items()}
    body = api(cast["agent"]).get("/api/v1/staff/", {**params, "page_size": 100}).json()
    assert sorted(r["username"] for r in body["results"]) == expected


def test_inactive_staff_not_listed(api, cast):
    staff = cast["qa"].staff
    staff.is_active = False
    staff.save()
    usernames = [r["username"] for r in api(cast["agent"]).get("/api/v1/staff/", {"page_size": 100}).json()["results"]]
    assert "qa" not in usernames
    assert len(usernames) == 11


def test_staff_detail_by_user_id(api, cast):
    body = api(cast["agent"]).get(f"/api/v1/staff/{cast['vendor'].pk}/").json()
    assert (body["id"], body["role"]) == (cast["vendor"].pk, "vendor")


def test_read_only(api, cast):
    assert api(cast["administrator"]).post("/api/v1/teams/", {"code": "X"}, format="json").status_code == 405
