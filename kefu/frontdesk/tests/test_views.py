"""The pages: pass list, the desk's form, the pass with its QR code and actions, the gate page,
the arrears list; Chinese by default, English per user."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.frontdesk.models import ReleasePass
from kefu.frontdesk.services import release_pass_transition
from kefu.frontdesk.tests.factories import in_arrears, make_estate, make_pass, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org):
    return make_estate(org)


@pytest.fixture
def occupied(estate):
    return make_unit(estate, "CH-1-1203", occupant="张三")


def _client(client, user, language=None):
    if language:
        user.staff.language = language
        user.staff.save(update_fields=["language"])
    client.force_login(user)
    return client


def test_list_scoped_with_query_budget(client, estate, cast, django_assert_max_num_queries):
    for n in range(6):
        unit, owner = make_unit(estate, f"CH-2-{n:03d}", occupant=f"业主{n}")
        make_pass(cast["agent"], unit, owner)
    c = _client(client, cast["agent"])
    with django_assert_max_num_queries(14):
        response = c.get("/frontdesk/passes/")
    html = response.content.decode()
    assert response.status_code == 200 and html.count("kefu-pass-row") == 6 and "放行单" in html
    partial = c.get("/frontdesk/passes/", {"status": "approved"}, HTTP_HX_REQUEST="true").content.decode()
    assert "kefu-pass-row" not in partial and "<nav class=\"navbar" not in partial
    other = _client(client, cast["other_steward"]).get("/frontdesk/passes/").content.decode()
    assert "kefu-pass-row" not in other


def test_desk_form_creates_a_pass_and_refuses_arrears(client, occupied, estate, cast):
    unit, owner = occupied
    c = _client(client, cast["agent"], "en")
    options = c.get("/frontdesk/passes/occupants/", {"unit_code": "CH-1-1203"}).content.decode()
    assert f'value="{owner.pk}"' in options and "张三" in options
    body = {"unit_code": "CH-1-1203", "requester": owner.pk, "items": "沙发 × 2\n纸箱 12\n台灯",
            "moving_date": timezone.localdate().isoformat(), "vehicle": "浙A12345", "carrier": ""}
    in_arrears(cast["clerk"], estate, unit, amount="88.00")
    refused = c.post("/frontdesk/passes/new/", body)
    assert refused.status_code == 409 and 'data-code="arrears"' in refused.content.decode()
    assert "88.00" in refused.content.decode() and not ReleasePass.objects.exists()
    sup = _client(client, cast["supervisor"])
    made = sup.post("/frontdesk/passes/new/", {**body, "override_reason": "业主已转账待到账"})
    p = ReleasePass.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/frontdesk/passes/{p.pk}/"
    assert p.items == [{"name": "沙发", "quantity": 2}, {"name": "纸箱", "quantity": 12}, {"name": "台灯", "quantity": 1}]
    assert (p.vehicle, p.override_reason) == ("浙A12345", "业主已转账待到账")


def test_form_marks_bad_fields(client, occupied, cast):
    _unit, owner = occupied
    c = _client(client, cast["agent"])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = c.post("/frontdesk/passes/new/", {"unit_code": "NOPE", "requester": owner.pk, "items": "沙发",
                                                 "moving_date": past})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not ReleasePass.objects.exists()


def test_detail_approve_then_gate_scans_once(client, occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    steward = _client(client, cast["steward"])
    page = steward.get(f"/frontdesk/passes/{p.pk}/").content.decode()
    assert 'data-action="approve"' in page and "<svg" not in page
    done = steward.post(f"/frontdesk/passes/{p.pk}/actions/approve/", {"version": 1})
    assert done.status_code == 302
    page = steward.get(f"/frontdesk/passes/{p.pk}/").content.decode()
    assert "<svg" in page and f"/frontdesk/gate/{p.token}/" in page
    guard = _client(client, cast["agent"])
    gate = guard.get(f"/frontdesk/gate/{p.token}/").content.decode()
    assert 'id="record-exit"' in gate and "张*" in gate and "张三" not in gate
    assert guard.post(f"/frontdesk/gate/{p.token}/", {"version": 2}).status_code == 302
    again = guard.post(f"/frontdesk/gate/{p.token}/", {"version": 3})
    assert again.status_code == 409 and 'data-code="already_used"' in again.content.decode()
    p.refresh_from_db()
    assert (p.status, p.version) == ("used", 3)
    assert _client(client, cast["other_steward"]).get(f"/frontdesk/gate/{p.token}/").status_code == 404
    assert guard.get("/frontdesk/gate/not-a-token/").status_code == 404


def test_stale_version_on_the_page_is_409(client, occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    release_pass_transition(release_pass=p, action="cancel", actor_user=cast["agent"], reason="改期")
    response = _client(client, cast["steward"]).post(f"/frontdesk/passes/{p.pk}/actions/approve/", {"version": 1})
    assert response.status_code == 409
    p.refresh_from_db()
    assert p.status == "cancelled"


def test_arrears_page_in_english(client, occupied, estate, cast):
    unit, _owner = occupied
    in_arrears(cast["clerk"], estate, unit, amount="120.00", days_ago=100)
    html = _client(client, cast["supervisor"], "en").get("/frontdesk/fees/arrears/").content.decode()
    assert "Arrears" in html and "CH-1-1203" in html and "¥120.00" in html
    assert 'data-bucket="91-180"' in html
