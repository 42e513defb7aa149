"""The register pages (visitors, keys, parcels): forms, row actions, refusals as 4xx, scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.frontdesk.models import Key, KeyLoan, Parcel, VisitorPass
from kefu.frontdesk.services import blacklist_add, key_loan_create, parcel_receive
from kefu.frontdesk.tests.factories import make_estate, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org):
    return make_estate(org)


def _later(hours=3):
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_visitor_page_registers_a_walk_in_and_refuses_the_blacklisted(client, estate, cast):
    client.force_login(cast["agent"])
    page = client.get("/frontdesk/visitors/").content.decode()
    assert "访客" in page and 'id="register-form"' in page
    made = client.post("/frontdesk/visitors/", {"site": estate["site"].pk, "kind": "visitor", "name": "王五",
                                                "phone": "13800138000", "valid_until": _later(), "walk_in": "on"})
    assert made.status_code == 302
    visit = VisitorPass.objects.get()
    assert visit.status == "arrived"
    left = client.post(f"/frontdesk/visitors/{visit.pk}/actions/depart/", {"version": visit.version})
    assert left.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "departed"
    blacklist_add(actor_user=cast["supervisor"], site=estate["site"], name="推销员", phone="13900001111", reason="推销")
    refused = client.post("/frontdesk/visitors/", {"site": estate["site"].pk, "kind": "visitor", "name": "推销员",
                                                   "phone": "13900001111", "valid_until": _later()})
    assert refused.status_code == 409 and "推销" in refused.content.decode()
    bad = client.post("/frontdesk/visitors/", {"site": estate["site"].pk, "kind": "visitor", "name": ""})
    assert bad.status_code == 400
    assert VisitorPass.objects.count() == 1


def test_key_page_lists_overdue_and_returns(client, estate, cast):
    key = Key.objects.create(site=estate["site"], code="K-001", label="水泵房", kind="plant_room")
    loan = key_loan_create(actor_user=cast["clerk"], key=key, borrower="刘师傅",
                           due_at=timezone.now() + timedelta(hours=1))
    KeyLoan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(hours=2))
    client.force_login(cast["clerk"])
    html = client.get("/frontdesk/keys/", {"overdue": "true"}).content.decode()
    assert "kefu-overdue" in html and "刘师傅" in html
    stale = client.post(f"/frontdesk/keys/{loan.pk}/actions/return/", {"version": 9})
    assert stale.status_code == 409
    done = client.post(f"/frontdesk/keys/{loan.pk}/actions/return/", {"version": 1})
    assert done.status_code == 302
    assert client.get("/frontdesk/keys/", {"overdue": "true"}).content.decode().count("kefu-register-row") == 0
    assert client.post("/frontdesk/keys/", {"key": key.pk, "borrower": "",
                                            "due_at": _later()}).status_code == 400


def test_parcel_page_signs_and_collects_with_the_code(client, estate, cast):
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    client.force_login(cast["agent"])
    made = client.post("/frontdesk/parcels/", {"unit_code": "CH-1-1203", "requester": owner.pk, "carrier": "顺丰",
                                               "tracking_number": "SF1"})
    assert made.status_code == 302
    parcel = Parcel.objects.get()
    wrong = client.post(f"/frontdesk/parcels/{parcel.pk}/actions/collect/", {"version": 1, "pickup_code": "x"})
    assert wrong.status_code == 400
    ok = client.post(f"/frontdesk/parcels/{parcel.pk}/actions/collect/",
                     {"version": 1, "pickup_code": parcel.pickup_code})
    assert ok.status_code == 302
    parcel.refresh_from_db()
    assert (parcel.status, parcel.signed_by) == ("collected", "张三")
    other = parcel_receive(actor_user=cast["agent"], unit=unit)
    client.force_login(cast["other_steward"])
    assert client.post(f"/frontdesk/parcels/{other.pk}/actions/deliver/",
                       {"version": 1, "signed_by": "x"}).status_code == 404
    assert "kefu-register-row" not in client.get("/frontdesk/parcels/").content.decode()
