"""Renovation permits (装修管理): application → checklist review → deposit (permit) → site checks
with rectification orders and penalties → acceptance → refund (deposit minus penalties); each
transition and refusal, through the services, the API and the page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.frontdesk.models import Renovation
from kefu.frontdesk.services import renovation_apply, renovation_transition
from kefu.frontdesk.tests.factories import make_unit

pytestmark = pytest.mark.django_db

CHECKS = {"structure": True, "fire": True, "waterproofing": True}


def _apply(actor, unit, owner, **extra):
    today = timezone.localdate()
    values = {"description": "厨卫改造", "starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=40),
              "contractor": "顺达装修", **extra}
    return renovation_apply(actor_user=actor, unit=unit, applicant=owner, **values)


def _permitted(cast, unit, owner, deposit="5000"):
    renovation = _apply(cast["agent"], unit, owner)
    renovation = renovation_transition(renovation=renovation, action="review", actor_user=cast["steward"], **CHECKS)
    return renovation_transition(renovation=renovation, action="pay", actor_user=cast["clerk"], deposit=deposit,
                                 fee="300")


def test_a_renovation_from_application_to_refund_minus_penalties(occupied, cast):
    unit, owner = occupied
    renovation = _apply(cast["agent"], unit, owner)
    assert (renovation.status, renovation.number[:2], renovation.version) == ("applied", "ZX", 1)
    renovation = renovation_transition(renovation=renovation, action="review", actor_user=cast["steward"], **CHECKS)
    assert (renovation.status, renovation.checklist) == ("reviewed", CHECKS)
    renovation = renovation_transition(renovation=renovation, action="pay", actor_user=cast["clerk"],
                                       deposit="5000", fee="300.50")
    assert (renovation.status, renovation.deposit, renovation.fee, renovation.working_hours) == (
        "permitted", Decimal("5000.00"), Decimal("300.50"), "08:00–12:00, 14:00–18:00")
    renovation = renovation_transition(renovation=renovation, action="inspect", actor_user=cast["steward"],
                                       finding="现场整洁")
    assert renovation.status == "permitted"
    deadline = timezone.localdate() + timedelta(days=7)
    renovation = renovation_transition(renovation=renovation, action="order", actor_user=cast["steward"],
                                       finding="擅自拆改承重墙", rectify_by=deadline.isoformat(), penalty="800")
    assert (renovation.status, renovation.rectify_by, renovation.penalties) == ("rectifying", deadline,
                                                                                 Decimal("800.00"))
    with pytest.raises(Conflict) as early:
        renovation_transition(renovation=renovation, action="accept", actor_user=cast["steward"])
    assert early.value.code == "invalid_transition"
    renovation = renovation_transition(renovation=renovation, action="rectified", actor_user=cast["steward"])
    assert (renovation.status, renovation.rectify_by) == ("permitted", None)
    renovation = renovation_transition(renovation=renovation, action="accept", actor_user=cast["supervisor"])
    assert renovation.status == "accepted"
    renovation = renovation_transition(renovation=renovation, action="refund", actor_user=cast["manager"])
    assert (renovation.status, renovation.refund) == ("refunded", Decimal("4200.00"))
    events = list(renovation.events.order_by("id").values_list("action", "from_status", "to_status"))
    assert events == [("create", "", "applied"), ("review", "applied", "reviewed"), ("pay", "reviewed", "permitted"),
                      ("inspect", "permitted", "permitted"), ("order", "permitted", "rectifying"),
                      ("rectified", "rectifying", "permitted"), ("accept", "permitted", "accepted"),
                      ("refund", "accepted", "refunded")]
    assert renovation.events.get(action="refund").data == {"deposit": "5000.00", "penalties": "800.00",
                                                           "refund": "4200.00"}


def test_refund_before_acceptance_is_409_and_changes_nothing(occupied, cast):
    unit, owner = occupied
    renovation = _permitted(cast, unit, owner)
    with pytest.raises(Conflict) as refused:
        renovation_transition(renovation=renovation, action="refund", actor_user=cast["manager"])
    assert refused.value.code == "invalid_transition"
    renovation.refresh_from_db()
    assert (renovation.status, renovation.refund, renovation.version, renovation.events.count()) == (
        "permitted", None, 3, 3)


def test_roles_per_step(occupied, cast):
    unit, owner = occupied
    renovation = _apply(cast["agent"], unit, owner)
    with pytest.raises(NotAllowed):
        renovation_transition(renovation=renovation, action="review", actor_user=cast["agent"], **CHECKS)
    renovation = renovation_transition(renovation=renovation, action="review", actor_user=cast["steward"], **CHECKS)
    with pytest.raises(NotAllowed):
        renovation_transition(renovation=renovation, action="pay", actor_user=cast["agent"], deposit="100")
    renovation = renovation_transition(renovation=renovation, action="pay", actor_user=cast["clerk"], deposit="100")
    renovation = renovation_transition(renovation=renovation, action="accept", actor_user=cast["steward"])
    with pytest.raises(NotAllowed):  # the refund is a manager's signature
        renovation_transition(renovation=renovation, action="refund", actor_user=cast["steward"])
    renovation.refresh_from_db()
    assert (renovation.status, renovation.refund) == ("accepted", None)


def test_bad_input_names_the_field_and_writes_nothing(occupied, estate, cast):
    unit, owner = occupied
    _other, stranger = make_unit(estate, "CH-1-1204", occupant="李四")
    with pytest.raises(InvalidInput) as not_occupant:
        _apply(cast["agent"], unit, stranger)
    assert list(not_occupant.value.fields) == ["applicant"]
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as backwards:
        _apply(cast["agent"], unit, owner, starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=1))
    assert list(backwards.value.fields) == ["ends_on"]
    with pytest.raises(InvalidInput) as long_text:
        _apply(cast["agent"], unit, owner, description="x" * 501)
    assert list(long_text.value.fields) == ["description"]
    assert Renovation.objects.count() == 0
    renovation = _apply(cast["agent"], unit, owner)
    with pytest.raises(InvalidInput) as unchecked:
        renovation_transition(renovation=renovation, action="review", actor_user=cast["steward"], structure=True,
                              fire=True, waterproofing=False)
    assert list(unchecked.value.fields) == ["waterproofing"]
    renovation = renovation_transition(renovation=renovation, action="review", actor_user=cast["steward"], **CHECKS)
    renovation = renovation_transition(renovation=renovation, action="pay", actor_user=cast["clerk"], deposit="1000")
    with pytest.raises(InvalidInput) as too_much:
        renovation_transition(renovation=renovation, action="order", actor_user=cast["steward"], finding="噪音",
                              rectify_by=(today + timedelta(days=2)).isoformat(), penalty="1000.01")
    assert list(too_much.value.fields) == ["penalty"]
    with pytest.raises(InvalidInput) as past:
        renovation_transition(renovation=renovation, action="order", actor_user=cast["steward"], finding="噪音",
                              rectify_by=(today - timedelta(days=1)).isoformat())
    assert list(past.value.fields) == ["rectify_by"]
    renovation.refresh_from_db()
    assert (renovation.status, renovation.penalties, renovation.events.count()) == ("permitted", Decimal("0.00"), 3)


def test_two_reviewers_at_once_one_wins_one_409(occupied, cast):
    unit, owner = occupied
    renovation = _apply(cast["agent"], unit, owner)
    renovation_transition(renovation=renovation.pk, action="review", actor_user=cast["steward"],
                          expected_version=1, **CHECKS)
    with pytest.raises(Conflict) as late:
        renovation_transition(renovation=renovation.pk, action="reject", actor_user=cast["supervisor"],
                              expected_version=1, reason="图纸不全")
    assert late.value.code == "invalid_transition"
    assert Renovation.objects.get().status == "reviewed"
    renovation = renovation_transition(renovation=renovation.pk, action="pay", actor_user=cast["clerk"],
                                       deposit="100")
    renovation_transition(renovation=renovation.pk, action="inspect", actor_user=cast["steward"], expected_version=3)
    with pytest.raises(Conflict) as stale:  # the second check was read before the first was recorded
        renovation_transition(renovation=renovation.pk, action="inspect", actor_user=cast["supervisor"],
                              expected_version=3)
    assert stale.value.code == "concurrent_change"
    assert Renovation.objects.get().events.filter(action="inspect").count() == 1


def test_scope_hides_other_companies_renovations(occupied, cast):
    unit, owner = occupied
    renovation = _apply(cast["agent"], unit, owner)
    with pytest.raises(NotFound):
        renovation_transition(renovation=renovation, action="review", actor_user=cast["other_steward"], **CHECKS)


def test_api_contract(api, occupied, cast, django_assert_max_num_queries):
    unit, owner = occupied
    today = timezone.localdate()
    desk = api(cast["agent"])
    made = desk.post("/api/v1/renovations/", {"unit": unit.pk, "applicant": owner.pk, "description": "厨卫改造",
                                              "starts_on": (today + timedelta(days=1)).isoformat(),
                                              "ends_on": (today + timedelta(days=30)).isoformat()}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["status"], body["unit"], body["unit_code"], body["applicant"], body["deposit"]) == (
        "applied", unit.pk, "CH-1-1203", owner.pk, "0.00")
    pk = body["id"]
    bad = desk.post("/api/v1/renovations/", {"unit": unit.pk, "applicant": owner.pk, "description": "",
                                             "starts_on": today.isoformat(), "ends_on": today.isoformat()},
                    format="json")
    assert bad.status_code == 400 and "description" in str(bad.json())
    steward = api(cast["steward"])
    reviewed = steward.post(f"/api/v1/renovations/{pk}/actions/review/", CHECKS, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    early = api(cast["manager"]).post(f"/api/v1/renovations/{pk}/actions/refund/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    paid = api(cast["clerk"]).post(f"/api/v1/renovations/{pk}/actions/pay/", {"deposit": "2000.00"}, format="json")
    assert paid.status_code == 200 and paid.json()["deposit"] == "2000.00"
    for _ in range(3):
        _apply(cast["agent"], unit, owner)
    with django_assert_max_num_queries(8):
        listed = desk.get("/api/v1/renovations/")
    assert listed.status_code == 200 and listed.json()["count"] == 4
    assert api(cast["other_steward"]).get(f"/api/v1/renovations/{pk}/").status_code == 404


def test_page_applies_and_steps_through(client, occupied, cast, django_assert_max_num_queries):
    unit, owner = occupied
    today = timezone.localdate()
    client.force_login(cast["steward"])
    page = client.get("/frontdesk/renovations/").content.decode()
    assert "装修" in page and 'id="register-form"' in page
    made = client.post("/frontdesk/renovations/", {"unit_code": "CH-1-1203", "requester": owner.pk,
                                                   "description": "厨卫改造", "starts_on": today.isoformat(),
                                                   "ends_on": (today + timedelta(days=20)).isoformat()})
    assert made.status_code == 302
    renovation = Renovation.objects.get()
    unchecked = client.post(f"/frontdesk/renovations/{renovation.pk}/actions/review/",
                            {"version": 1, "structure": "on", "fire": "on"})
    assert unchecked.status_code == 400
    assert Renovation.objects.get().status == "applied"
    done = client.post(f"/frontdesk/renovations/{renovation.pk}/actions/review/",
                       {"version": 1, "structure": "on", "fire": "on", "waterproofing": "on"})
    assert done.status_code == 302 and Renovation.objects.get().status == "reviewed"
    for _ in range(3):
        _apply(cast["agent"], unit, owner)
    with django_assert_max_num_queries(25):
        listed = client.get("/frontdesk/renovations/")
    assert listed.content.decode().count("kefu-register-row") == 4
