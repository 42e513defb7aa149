"""Visitors (with the blacklist), key loans (overdue) and parcels (deliver with a signature or
collect with the code): each transition and refusal, services and API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.core.masking import phone_for
from kefu.frontdesk import selectors
from kefu.frontdesk.models import Key, KeyLoan, Parcel, VisitorPass
from kefu.frontdesk.services import (
    blacklist_add,
    key_loan_create,
    key_loan_transition,
    parcel_receive,
    parcel_transition,
    visitor_pass_create,
    visitor_pass_transition,
)
from kefu.frontdesk.tests.factories import make_estate, make_unit
from kefu.org.selectors import actor_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org):
    return make_estate(org)


def _in(hours=4):
    return timezone.now() + timedelta(hours=hours)


def test_visitor_expected_arrives_and_leaves(estate, cast):
    unit, _owner = make_unit(estate, "CH-1-1203", occupant="张三")
    visit = visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="王五", phone="138-0013-8000",
                                purpose="探亲", unit=unit, valid_until=_in())
    assert (visit.status, visit.phone, visit.number[:2]) == ("expected", "13800138000", "FK")
    visit = visitor_pass_transition(visitor_pass=visit, action="arrive", actor_user=cast["agent"])
    assert visit.status == "arrived" and visit.arrived_at is not None
    visit = visitor_pass_transition(visitor_pass=visit, action="depart", actor_user=cast["clerk"])
    assert visit.status == "departed" and visit.departed_at >= visit.arrived_at
    with pytest.raises(Conflict):
        visitor_pass_transition(visitor_pass=visit, action="depart", actor_user=cast["clerk"])
    assert list(visit.events.order_by("id").values_list("action", flat=True)) == ["create", "arrive", "depart"]


def test_walk_in_contractor_needs_a_company_and_is_on_site_at_once(estate, cast):
    with pytest.raises(InvalidInput) as refused:
        visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="赵六", kind="contractor",
                            valid_until=_in())
    assert list(refused.value.fields) == ["company"]
    visit = visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="赵六", kind="contractor",
                                company="顺达装修", valid_until=_in(), walk_in=True)
    assert visit.status == "arrived"


def test_blacklisted_person_is_refused_and_only_supervisors_refuse(estate, cast):
    with pytest.raises(NotAllowed):
        blacklist_add(actor_user=cast["agent"], site=estate["site"], name="推销员", phone="13900001111", reason="x")
    visit = visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="推销员", phone="13900001111",
                                valid_until=_in())
    blacklist_add(actor_user=cast["supervisor"], site=estate["site"], name="推销员", phone="139 0000 1111",
                  reason="多次上门推销")
    with pytest.raises(Conflict) as refused:
        visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="另一个名字", phone="13900001111",
                            valid_until=_in())
    assert refused.value.code == "blacklisted" and "多次上门推销" in refused.value.message
    with pytest.raises(Conflict) as at_gate:
        visitor_pass_transition(visitor_pass=visit, action="arrive", actor_user=cast["agent"])
    assert at_gate.value.code == "blacklisted"
    visit.refresh_from_db()
    assert (visit.status, VisitorPass.objects.count()) == ("expected", 1)


def test_expired_pass_is_refused_at_arrival(estate, cast):
    visit = visitor_pass_create(actor_user=cast["agent"], site=estate["site"], name="王五", valid_until=_in(1))
    VisitorPass.objects.filter(pk=visit.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        visitor_pass_transition(visitor_pass=visit, action="arrive", actor_user=cast["agent"])
    assert refused.value.code == "expired"
    with pytest.raises(NotFound):
        visitor_pass_transition(visitor_pass=visit, action="cancel", actor_user=cast["other_steward"])


def test_key_lent_once_returned_and_overdue_listed(estate, cast):
    key = Key.objects.create(site=estate["site"], code="K-001", label="1栋水泵房", kind="plant_room")
    loan = key_loan_create(actor_user=cast["clerk"], key=key, borrower="刘师傅", company="水电组",
                           due_at=_in(2), signature="data:image/png;base64,iVBORw0KGgo=")
    with pytest.raises(Conflict) as out:
        key_loan_create(actor_user=cast["agent"], key=key, borrower="别人", due_at=_in(2))
    assert out.value.code == "key_out"
    KeyLoan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(hours=1))
    supervisor = actor_for_user(cast["supervisor"])
    assert [x.pk for x in selectors.key_loan_list(actor=supervisor, overdue=True)] == [loan.pk]
    assert list(selectors.key_loan_list(actor=actor_for_user(cast["other_steward"]))) == []
    loan = key_loan_transition(key_loan=loan, action="return", actor_user=cast["clerk"])
    assert loan.status == "returned" and loan.events.last().data == {"overdue": True}
    assert list(selectors.key_loan_list(actor=supervisor, overdue=True)) == []
    with pytest.raises(Conflict):
        key_loan_transition(key_loan=loan, action="return", actor_user=cast["clerk"])
    with pytest.raises(InvalidInput):
        key_loan_create(actor_user=cast["clerk"], key=key, borrower="x", due_at=_in(1), signature="<svg/>")
    assert KeyLoan.objects.count() == 1


def test_parcel_collected_with_the_code_or_delivered_with_a_signature(estate, cast):
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    parcel = parcel_receive(actor_user=cast["agent"], unit=unit, recipient=owner, sender="京东", carrier="京东物流",
                            tracking_number="JD0001")
    assert parcel.status == "received" and len(parcel.pickup_code) == 6
    wrong = "000000" if parcel.pickup_code != "000000" else "111111"
    with pytest.raises(InvalidInput) as refused:
        parcel_transition(parcel=parcel, action="collect", actor_user=cast["agent"], pickup_code=wrong)
    assert refused.value.code == "wrong_code"
    parcel.refresh_from_db()
    assert parcel.status == "received"
    parcel = parcel_transition(parcel=parcel, action="collect", actor_user=cast["agent"],
                               pickup_code=parcel.pickup_code)
    assert (parcel.status, parcel.signed_by) == ("collected", "张三")
    letter = parcel_receive(actor_user=cast["agent"], unit=unit, is_registered_mail=True, sender="法院")
    with pytest.raises(InvalidInput):
        parcel_transition(parcel=letter, action="deliver", actor_user=cast["steward"])
    letter = parcel_transition(parcel=letter, action="deliver", actor_user=cast["steward"], signed_by="张三")
    assert (letter.status, letter.handed_over_by) == ("delivered", cast["steward"])
    _other, stranger = make_unit(estate, "CH-1-1204", occupant="李四")
    with pytest.raises(InvalidInput):
        parcel_receive(actor_user=cast["agent"], unit=unit, recipient=stranger)
    assert Parcel.objects.count() == 2


def test_waiting_parcels_for_reminders(estate, cast):
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    old = parcel_receive(actor_user=cast["agent"], unit=unit, recipient=owner)
    parcel_receive(actor_user=cast["agent"], unit=unit, recipient=owner)
    Parcel.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert [p.pk for p in selectors.parcel_list(actor=actor_for_user(cast["steward"]), waiting_days=3)] == [old.pk]


def test_register_api(api, estate, cast):
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    desk = api(cast["agent"])
    made = desk.post("/api/v1/visitor-passes/", {"site": estate["site"].pk, "name": "王五", "phone": "13800138000",
                                                 "valid_until": _in().isoformat()}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["phone"] == phone_for(cast["agent"], "13800138000")  # masked for roles without the right
    pk = made.json()["id"]
    assert desk.post(f"/api/v1/visitor-passes/{pk}/actions/arrive/", {}, format="json").json()["status"] == "arrived"
    assert desk.post(f"/api/v1/visitor-passes/{pk}/actions/cancel/", {}, format="json").status_code == 409
    assert [r["id"] for r in desk.get("/api/v1/visitor-passes/").json()["results"]] == [pk]
    bad = desk.post("/api/v1/visitor-passes/", {"site": estate["site"].pk, "name": "王五",
                                                "valid_until": (timezone.now() - timedelta(hours=1)).isoformat()},
                    format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["valid_until"]

    key = Key.objects.create(site=estate["site"], code="K-002", label="1203 备用钥匙", unit=unit)
    loan = desk.post("/api/v1/key-loans/", {"key": key.pk, "borrower": "张三", "due_at": _in().isoformat()},
                     format="json")
    assert loan.status_code == 201 and loan.json()["key_code"] == "K-002" and loan.json()["is_overdue"] is False
    again = desk.post("/api/v1/key-loans/", {"key": key.pk, "borrower": "张三", "due_at": _in().isoformat()},
                      format="json")
    assert again.status_code == 409 and again.json()["code"] == "key_out"
    back = desk.post(f"/api/v1/key-loans/{loan.json()['id']}/actions/return/", {}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "returned"

    parcel = desk.post("/api/v1/parcels/", {"unit": unit.pk, "recipient": owner.pk, "carrier": "顺丰"}, format="json")
    assert parcel.status_code == 201 and "pickup_code" not in parcel.json()
    pid = parcel.json()["id"]
    wrong = desk.post(f"/api/v1/parcels/{pid}/actions/collect/", {"pickup_code": "x"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_code"
    code = Parcel.objects.get(pk=pid).pickup_code
    ok = desk.post(f"/api/v1/parcels/{pid}/actions/collect/", {"pickup_code": code}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "collected"
    outsider = api(cast["other_steward"])
    assert outsider.get(f"/api/v1/parcels/{pid}/").status_code == 404
    assert outsider.get("/api/v1/key-loans/").json()["results"] == []
