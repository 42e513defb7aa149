"""The patrol API contract: routes, rounds with ?status=missed, one POST per checkpoint, findings,
the site-walk standard, and who may see what."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from kefu.patrols import services
from kefu.patrols.models import Finding, PatrolRound, PatrolRoute
from kefu.patrols.tests.factories import CHECKPOINTS, answers_for, make_daily, make_route
from kefu.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def test_routes_created_and_listed_with_checkpoints_and_items(api, org, cast, django_assert_max_num_queries):
    client = api(cast["supervisor"])
    response = client.post("/api/v1/patrol-routes/", {"name": "夜间巡查", "department": org["cs"].pk,
                                                      "checkpoints": CHECKPOINTS}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [c["tag"] for c in body["checkpoints"]] == ["QR-LOBBY-1", "NFC-PUMP-1", "QR-FIRE-1"]
    assert body["checkpoints"][1]["items"][0] | {"id": 0} == {
        "id": 0, "sequence": 1, "text": "供水压力", "kind": "value", "unit": "MPa", "min_value": "0.300",
        "max_value": "0.600"}
    for _ in range(3):
        make_route(actor=cast["supervisor"], department=org["cs"])
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/patrol-routes/")
    assert listed.status_code == 200 and listed.json()["count"] == 4
    # A steward reads but may not plan routes; a vendor sees none.
    assert api(cast["steward"]).get("/api/v1/patrol-routes/").json()["count"] == 4
    assert api(cast["steward"]).post("/api/v1/patrol-routes/", {"name": "x", "department": org["cs"].pk,
                                                                "checkpoints": CHECKPOINTS},
                                     format="json").status_code == 403
    assert api(cast["vendor"]).get("/api/v1/patrol-routes/").json()["count"] == 0
    assert api(cast["other_steward"]).get("/api/v1/patrol-routes/").json()["count"] == 0
    bad = client.post("/api/v1/patrol-routes/", {"name": "x", "department": org["cs"].pk, "checkpoints": []},
                      format="json")
    assert bad.status_code == 400 and "checkpoints" in bad.json()["fields"]
    assert PatrolRoute.objects.count() == 4


def test_a_round_walked_through_the_api_and_its_finding_raised(api, org, cast, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 30, tzinfo=TZ), tick=False)
    route = make_route(actor=cast["supervisor"], department=org["cs"])
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"])
    services.patrol_rounds_plan(day=date(2026, 3, 2))
    round = PatrolRound.objects.get(period="2026-03-02T09:00")
    client = api(cast["steward"])
    cps = list(route.checkpoints.order_by("sequence"))
    url = f"/api/v1/patrol-rounds/{round.pk}/checkpoints/"
    wrong = client.post(f"{url}{cps[0].pk}/", {"tag": "QR-X", "answers": answers_for(cps[0])}, format="json")
    assert wrong.status_code == 400 and "tag" in wrong.json()["fields"]
    assert api(cast["agent"]).post(f"{url}{cps[0].pk}/", {"tag": cps[0].tag, "answers": answers_for(cps[0])},
                                   format="json").status_code == 403
    assert api(cast["vendor"]).post(f"{url}{cps[0].pk}/", {"tag": cps[0].tag, "answers": answers_for(cps[0])},
                                    format="json").status_code == 404
    first = client.post(f"{url}{cps[0].pk}/", {"tag": cps[0].tag, "visited_at": "2026-03-02T09:10:00+08:00",
                                                "answers": answers_for(cps[0], fail=["照明正常"])}, format="json")
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["visited"]) == ("in_progress", [cps[0].pk])
    again = client.post(f"{url}{cps[0].pk}/", {"tag": cps[0].tag, "answers": answers_for(cps[0])}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_visited"
    for cp in cps[1:]:
        last = client.post(f"{url}{cp.pk}/", {"tag": cp.tag, "answers": answers_for(cp)}, format="json")
    assert last.json()["status"] == "completed" and last.json()["is_late"] is False
    findings = client.get(f"/api/v1/patrol-rounds/{round.pk}/findings/").json()
    assert [(f["item_text"], f["status"]) for f in findings] == [("照明正常", "open")]
    raised = client.post(f"/api/v1/patrol-findings/{findings[0]['id']}/work-order/", {}, format="json")
    assert raised.status_code == 201 and raised.json()["status"] == "work_order"
    order = WorkOrder.objects.get()
    assert (order.channel, order.title) == ("patrol", "1号楼大堂：照明正常")
    assert client.post(f"/api/v1/patrol-findings/{findings[0]['id']}/work-order/", {},
                       format="json").status_code == 409
    assert api(cast["vendor"]).post(f"/api/v1/patrol-findings/{findings[0]['id']}/work-order/", {},
                                    format="json").status_code == 404
    assert WorkOrder.objects.count() == 1 and Finding.objects.get().work_order == order


def test_missed_rounds_listed_and_the_standard_drills_down(api, org, cast):
    route = make_route(actor=cast["supervisor"], department=org["cs"])
    make_daily(actor=cast["supervisor"], route=route, person=cast["steward"], times=["09:00"])
    services.patrol_rounds_plan(day=date(2026, 3, 2))
    services.patrol_rounds_plan(day=date(2026, 3, 3))
    services.patrol_rounds_sweep(now=datetime(2026, 3, 3, 0, 0, tzinfo=TZ))
    client = api(cast["supervisor"])
    missed = client.get("/api/v1/patrol-rounds/?status=missed")
    assert missed.status_code == 200
    assert [(r["period"], r["status"]) for r in missed.json()["results"]] == [("2026-03-02T09:00", "missed")]
    assert client.get("/api/v1/patrol-rounds/?status=lost").status_code == 400
    standard = client.get("/api/v1/patrol-rounds/standard/?week=2026-03-04").json()
    assert standard == [{"assignee": cast["steward"].pk, "name": cast["steward"].staff.display_name,
                         "week": "2026-03-02", "due": 2, "completed": 0, "on_time": 0, "late": 0, "missed": 1,
                         "open": 1, "met": False,
                         "url": f"/api/v1/patrol-rounds/?assignee={cast['steward'].pk}&week=2026-03-02"}]
    drill = client.get(standard[0]["url"]).json()
    assert drill["count"] == 2
    assert api(cast["vendor"]).get("/api/v1/patrol-rounds/?status=missed").json()["count"] == 0
    assert api(cast["other_steward"]).get("/api/v1/patrol-rounds/").json()["count"] == 0
