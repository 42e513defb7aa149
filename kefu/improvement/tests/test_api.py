"""The corrective-action API: list/detail/create, actions, events, effect, one error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.improvement.models import CorrectiveAction
from kefu.improvement.tests.factories import make_notice, make_proposal, taken

pytestmark = pytest.mark.django_db

URL = "/api/v1/corrective-actions/"


def _due(days=10):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_create_and_read(api, cast, org):
    body = {"title": "回访漏做", "nonconformity": "十月有 5 张维修工单未回访。", "responsible_department": org["front"].pk,
            "owner": cast["agent"].pk, "due_date": _due(),
            "evidence": [{"kind": "work_order", "label": "GD20261001-0001", "url": "/work-orders/1/"}]}
    response = api(cast["qa"]).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "issued"
    assert data["owner"] == {"id": cast["agent"].pk, "name": cast["agent"].staff.display_name}
    assert data["responsible_department_name"] == "前台组"
    assert data["evidence"] == [{"kind": "work_order", "label": "GD20261001-0001", "url": "/work-orders/1/"}]
    assert data["is_overdue"] is False
    detail = api(cast["agent"]).get(f"{URL}{data['id']}/")
    assert detail.status_code == 200
    assert detail.json()["number"] == data["number"]
    events = api(cast["agent"]).get(f"{URL}{data['id']}/events/").json()
    assert [e["action"] for e in events] == ["create"]


@pytest.mark.parametrize(("user", "status", "code"), [("agent", 403, "role_not_allowed"), ("qa", 400, "invalid")])
def test_create_refusals(api, cast, org, user, status, code):
    body = {"title": "x", "nonconformity": "y", "responsible_department": org["front"].pk,
            "owner": cast["technician"].pk, "due_date": _due()}
    response = api(cast[user]).post(URL, body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    if status == 400:
        assert list(response.json()["fields"]) == ["owner"]
    assert CorrectiveAction.objects.count() == 0


def test_bad_json_is_400_with_fields(api, cast, org):
    response = api(cast["qa"]).post(URL, {"title": "", "due_date": "tomorrow"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"title", "nonconformity", "responsible_department", "owner", "due_date"} <= set(body["fields"])


def test_actions_over_the_api(api, cast, org):
    notice = taken(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"])
    url = f"{URL}{notice.pk}/actions/"
    denied = api(cast["agent"]).post(f"{url}verify_effective/", {"verification": "ok"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "role_not_allowed"
    stale = api(cast["qa"]).post(f"{url}verify_effective/", {"verification": "ok", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_change"
    missing = api(cast["qa"]).post(f"{url}verify_not_effective/", {"verification": "无效"}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["fields"]) == ["due_date"]
    notice.refresh_from_db()
    assert notice.status == "action_taken"
    ok = api(cast["qa"]).post(f"{url}verify_not_effective/", {"verification": "无效", "due_date": _due(30),
                                                               "version": notice.version}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["round"]) == ("reissued", 2)
    assert api(cast["qa"]).post(f"{url}fly/", {}, format="json").status_code == 404


def test_issue_a_proposal_over_the_api(api, cast, org):
    notice = make_proposal(responsible_department=org["front"])
    response = api(cast["qa"]).post(f"{URL}{notice.pk}/actions/issue/", {
        "responsible_department": org["front"].pk, "owner": cast["agent"].pk, "due_date": _due()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["issuer_role"] == "qa"


def test_visibility_and_filters(api, cast, org):
    mine = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    theirs = make_notice(actor=cast["administrator"], owner=cast["other_steward"], department=org["oteam"],
                         title="其他项目")
    make_proposal(responsible_department=None)
    assert api(cast["other_steward"]).get(f"{URL}{mine.pk}/").status_code == 404
    assert api(cast["other_steward"]).get(f"{URL}{mine.pk}/events/").status_code == 404
    rows = api(cast["supervisor"]).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    qa_rows = api(cast["qa"]).get(URL, {"status": "proposed"}).json()["results"]
    assert [r["status"] for r in qa_rows] == ["proposed"]
    dept_rows = api(cast["qa"]).get(URL, {"department": org["other"].pk}).json()["results"]
    assert [r["id"] for r in dept_rows] == [theirs.pk]
    assert api(cast["qa"]).get(URL, {"overdue": "true"}).json()["count"] == 0
    assert api().get(URL).status_code in (401, 403)


def test_effect_endpoint_without_item_is_204(api, cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    assert api(cast["qa"]).get(f"{URL}{notice.pk}/effect/").status_code == 204


def test_list_query_budget(api, cast, org, django_assert_max_num_queries):
    for i in range(12):
        make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], title=f"通知 {i}")
    client = api(cast["qa"])
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 12
