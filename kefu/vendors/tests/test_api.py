"""The vendor API contract, and a vendor user denied everything outside their own (a matrix)."""

from datetime import date

import pytest

from kefu.org.tests.factories import make_department, make_staff
from kefu.vendors import services
from kefu.vendors.models import Nonconformity, Scorecard, Vendor
from kefu.vendors.tests.factories import make_contract, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_vendors(org, cast):
    sup = cast["supervisor"]
    ours = make_vendor(actor=sup, team=org["vend"])
    other_team = make_department(kind="team", parent=org["eng"], code="VEND2", name="外包保洁")
    theirs = make_vendor(actor=sup, team=other_team, name="洁美保洁服务有限公司", scope="cleaning")
    make_contract(actor=sup, vendor=ours)
    make_contract(actor=sup, vendor=theirs, number="HT-2026-002")
    nc_ours = services.nonconformity_create(actor_user=sup, vendor=ours, description="机房未上锁",
                                            deadline=date(2027, 1, 10))
    nc_theirs = services.nonconformity_create(actor_user=sup, vendor=theirs, description="大堂地面有水渍",
                                              deadline=date(2027, 1, 10))
    card_ours = services.scorecard_compute(actor_user=sup, vendor=ours, month=date(2026, 3, 1), manual={6: 90})
    card_theirs = services.scorecard_compute(actor_user=sup, vendor=theirs, month=date(2026, 3, 1), manual={6: 90})
    return {"ours": ours, "theirs": theirs, "nc_ours": nc_ours, "nc_theirs": nc_theirs, "card_ours": card_ours,
            "card_theirs": card_theirs, "their_user": make_staff(role="vendor", department=other_team).user}


def test_vendors_created_and_listed(api, org, cast):
    client = api(cast["supervisor"])
    response = client.post("/api/v1/vendors/", {"name": "绿源园林", "service_scope": "greenery",
                                                "team": org["vend"].pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["service_scope"] == "greenery"
    again = client.post("/api/v1/vendors/", {"name": "绿源园林", "service_scope": "greenery", "team": org["vend"].pk},
                        format="json")
    assert again.status_code == 400 and "name" in again.json()["fields"]
    assert api(cast["agent"]).post("/api/v1/vendors/", {"name": "x", "service_scope": "greenery",
                                                        "team": org["mep"].pk}, format="json").status_code == 403
    assert Vendor.objects.count() == 1


def test_scorecard_by_vendor_and_month_with_lines(api, cast, two_vendors):
    ours = two_vendors["ours"]
    body = api(cast["manager"]).get(f"/api/v1/vendor-scorecards/?vendor={ours.pk}&month=2026-03").json()
    assert body["count"] == 1
    card = body["results"][0]
    assert card["month"] == "2026-03" and card["status"] == "draft"
    first = card["lines"][0]
    assert {k: first[k] for k in ("sequence", "value", "weight", "score", "url")} == {
        "sequence": 1, "value": None, "weight": "30.00", "score": "30.00",
        "url": f"/api/v1/vendor-scorecards/{card['id']}/records/?line=1"}
    assert api(cast["manager"]).get(first["url"]).json() == {"line": 1, "model": "work_order", "ids": [],
                                                             "counted": []}
    signed = api(cast["manager"]).post(f"/api/v1/vendor-scorecards/{card['id']}/sign/", {}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    xlsx = api(cast["manager"]).get(f"/api/v1/vendor-scorecards/{card['id']}/statement/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = api(cast["manager"]).get(f"/api/v1/vendor-scorecards/{card['id']}/statement/pdf/")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_a_vendor_user_sees_and_acts_on_their_own_only(api, cast, two_vendors):
    v = two_vendors
    client = api(cast["vendor"])
    ours, theirs = v["ours"], v["theirs"]
    # what they see: their own vendor, nonconformities, scorecards
    assert [r["id"] for r in client.get("/api/v1/vendors/").json()["results"]] == [ours.pk]
    assert [r["id"] for r in client.get("/api/v1/vendor-nonconformities/").json()["results"]] == [v["nc_ours"].pk]
    assert [r["id"] for r in client.get("/api/v1/vendor-scorecards/").json()["results"]] == [v["card_ours"].pk]
    own_card = f"/api/v1/vendor-scorecards/{v['card_ours'].pk}"
    assert client.get(f"{own_card}/statement/pdf/").status_code == 200
    # the matrix of everything else: not found (no existence leak) or refused, nothing written
    other_card = f"/api/v1/vendor-scorecards/{v['card_theirs'].pk}"
    for method, url, body, expected in [
        ("get", f"/api/v1/vendors/{theirs.pk}/", None, 404),
        ("get", f"/api/v1/vendor-nonconformities/{v['nc_theirs'].pk}/", None, 404),
        ("post", f"/api/v1/vendor-nonconformities/{v['nc_theirs'].pk}/actions/reply/", {"reply": "已处理"}, 404),
        ("post", f"/api/v1/vendor-nonconformities/{v['nc_ours'].pk}/actions/verify/", {"verification": "好"}, 403),
        ("post", "/api/v1/vendor-nonconformities/", {"vendor": ours.pk, "description": "x",
                                                     "deadline": "2027-01-01"}, 403),
        ("get", f"{other_card}/", None, 404),
        ("get", f"{other_card}/statement/xlsx/", None, 404),
        ("get", f"{other_card}/statement/pdf/", None, 404),
        ("get", f"{other_card}/records/?line=1", None, 404),
        ("post", f"{other_card}/sign/", {}, 404),
        ("post", f"{own_card}/sign/", {}, 403),
        ("post", "/api/v1/vendor-scorecards/", {"vendor": ours.pk, "month": "2026-03"}, 403),
        ("post", "/api/v1/vendor-scorecards/", {"vendor": theirs.pk, "month": "2026-03"}, 404),
        ("post", "/api/v1/vendors/", {"name": "x", "service_scope": "lift", "team": ours.team_id}, 403),
        ("get", "/api/v1/routing-rules/", None, 403),
        ("get", "/api/v1/routing-absences/", None, 403),
    ]:
        response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
        assert response.status_code == expected, (method, url, response.status_code)
    assert client.get(f"/api/v1/vendor-scorecards/?vendor={theirs.pk}").json()["count"] == 0
    assert client.get("/api/v1/patrol-routes/").json()["count"] == 0
    assert client.get("/api/v1/patrol-rounds/").json()["count"] == 0
    # nothing changed on the other vendor's records, nor on their own beyond what they may do
    assert Nonconformity.objects.get(pk=v["nc_theirs"].pk).status == "open"
    assert Nonconformity.objects.get(pk=v["nc_ours"].pk).status == "open"
    assert not Scorecard.objects.filter(status="signed").exists()
    # their own nonconformity they may answer
    replied = client.post(f"/api/v1/vendor-nonconformities/{v['nc_ours'].pk}/actions/reply/", {"reply": "已加锁"},
                          format="json")
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    # the other vendor's user, in turn, cannot see ours
    assert api(v["their_user"]).get(f"/api/v1/vendor-nonconformities/{v['nc_ours'].pk}/").status_code == 404
