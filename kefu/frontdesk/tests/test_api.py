"""The API contract of issue #21: paths, fields and codes exactly."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kefu.frontdesk.models import Bill, Payment, ReleasePass, UnitBalance
from kefu.frontdesk.tests.factories import in_arrears, make_estate, make_pass, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org):
    return make_estate(org)


@pytest.fixture
def occupied(estate):
    return make_unit(estate, "CH-1-1203", occupant="张三")


def _body(unit, owner, **extra):
    return {"unit": unit.pk, "requester": owner.pk, "items": [{"name": "冰箱", "quantity": 1}],
            "moving_date": timezone.localdate().isoformat(), **extra}


def test_release_pass_create_approve_scan_twice(api, occupied, cast):
    unit, owner = occupied
    desk = api(cast["agent"])
    made = desk.post("/api/v1/release-passes/", _body(unit, owner), format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["status"], body["unit"], body["requester"], body["items"], body["scan_url"]) == (
        "requested", unit.pk, owner.pk, [{"name": "冰箱", "quantity": 1}], None)
    pk = body["id"]
    approved = api(cast["steward"]).post(f"/api/v1/release-passes/{pk}/actions/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    token = ReleasePass.objects.get(pk=pk).token
    assert approved.json()["scan_url"] == f"/frontdesk/gate/{token}/"
    scanned = desk.post(f"/api/v1/release-passes/{pk}/actions/scan/", {}, format="json")
    assert scanned.status_code == 200 and scanned.json()["status"] == "used"
    again = desk.post(f"/api/v1/release-passes/{pk}/actions/scan/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_used"
    assert desk.post(f"/api/v1/release-passes/{pk}/actions/fly/", {}, format="json").status_code == 404
    listed = desk.get("/api/v1/release-passes/")
    assert [r["id"] for r in listed.json()["results"]] == [pk]


def test_arrears_is_409_unless_a_supervisor_overrides(api, occupied, estate, cast):
    unit, owner = occupied
    in_arrears(cast["clerk"], estate, unit, amount="250.00")
    refused = api(cast["agent"]).post("/api/v1/release-passes/", _body(unit, owner), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "arrears"
    not_theirs = api(cast["agent"]).post("/api/v1/release-passes/", _body(unit, owner, override_reason="先放行"),
                                         format="json")
    assert not_theirs.status_code == 403
    assert not ReleasePass.objects.exists()
    ok = api(cast["supervisor"]).post("/api/v1/release-passes/", _body(unit, owner, override_reason="先放行"),
                                      format="json")
    assert ok.status_code == 201 and ok.json()["override_reason"] == "先放行"


def test_bad_input_names_the_field(api, occupied, cast):
    unit, owner = occupied
    bad = api(cast["agent"]).post("/api/v1/release-passes/", _body(unit, owner, items=[]), format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["items.non_field_errors"]
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    bad = api(cast["agent"]).post("/api/v1/release-passes/", _body(unit, owner, moving_date=past), format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["moving_date"]
    assert not ReleasePass.objects.exists()


def test_other_company_gets_404(api, occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    outsider = api(cast["other_steward"])
    assert outsider.get(f"/api/v1/release-passes/{p.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/release-passes/{p.pk}/actions/approve/", {}, format="json").status_code == 404
    assert outsider.get("/api/v1/release-passes/").json()["results"] == []


def test_fees_items_bills_payments_arrears(api, occupied, estate, cast):
    unit, _owner = occupied
    clerk = api(cast["clerk"])
    items = clerk.get("/api/v1/fees/items/", {"site": estate["site"].pk}).json()["results"]
    assert [(i["code"], i["basis"], i["rate"]) for i in items] == [("MGMT", "area", "2.5000"), ("PARK", "fixed", "300.0000")]
    due = timezone.localdate() - timedelta(days=45)
    made = clerk.post("/api/v1/fees/bills/", {"unit": unit.pk, "item": estate["mgmt"].pk, "period": "2026-10",
                                              "amount": "250.00", "due_date": due.isoformat()}, format="json")
    assert made.status_code == 201 and made.json()["amount"] == "250.00"
    dup = clerk.post("/api/v1/fees/bills/", {"unit": unit.pk, "item": estate["mgmt"].pk, "period": "2026-10",
                                             "amount": "250.00", "due_date": due.isoformat()}, format="json")
    assert dup.status_code == 409 and dup.json()["code"] == "bill_exists"
    paid = clerk.post("/api/v1/fees/payments/", {"unit": unit.pk, "amount": "100.00",
                                                 "paid_at": timezone.localdate().isoformat()}, format="json")
    assert paid.status_code == 201
    future = clerk.post("/api/v1/fees/payments/", {"unit": unit.pk, "amount": "1.00",
                                                   "paid_at": (timezone.localdate() + timedelta(days=1)).isoformat()},
                        format="json")
    assert future.status_code == 400 and list(future.json()["fields"]) == ["paid_at"]
    rows = clerk.get("/api/v1/fees/arrears/", {"site": estate["site"].pk}).json()["results"]
    assert rows == [{"unit": unit.pk, "unit_code": "CH-1-1203", "site": estate["site"].pk, "balance": "150.00",
                     "oldest_due_date": due.isoformat(), "age_days": 45, "age_bucket": "31-90"}]
    assert api(cast["other_steward"]).get("/api/v1/fees/arrears/").json()["results"] == []
    assert api(cast["agent"]).post("/api/v1/fees/payments/", {"unit": unit.pk, "amount": "1.00",
                                                              "paid_at": date.today().isoformat()},
                                   format="json").status_code == 403
    assert (Bill.objects.count(), Payment.objects.count()) == (1, 1)
    assert UnitBalance.objects.get(unit=unit).balance == 150


def test_list_and_arrears_query_budgets(api, estate, cast, django_assert_max_num_queries):
    for n in range(8):
        unit, owner = make_unit(estate, f"CH-2-{n:03d}", occupant=f"业主{n}")
        make_pass(cast["agent"], unit, owner)
        in_arrears(cast["clerk"], estate, unit, amount="10.00", days_ago=10 + n)
    client = api(cast["supervisor"])
    with django_assert_max_num_queries(11):
        assert len(client.get("/api/v1/release-passes/").json()["results"]) == 8
    with django_assert_max_num_queries(11):
        assert len(client.get("/api/v1/fees/arrears/").json()["results"]) == 8
