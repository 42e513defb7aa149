"""Release passes: every transition and refusal through the services, on the real database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.customers.models import CustomerAsset
from kefu.frontdesk.models import ReleasePass, ReleasePassEvent
from kefu.frontdesk.services import release_pass_transition
from kefu.frontdesk.tests.factories import in_arrears, make_estate, make_pass, make_unit, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org):
    return make_estate(org)


@pytest.fixture
def occupied(estate):
    return make_unit(estate, "CH-1-1203", occupant="张三")


def _events(release_pass):
    return list(ReleasePassEvent.objects.filter(release_pass=release_pass).order_by("id").values_list("action", flat=True))


def test_desk_requests_steward_approves_guard_scans_once(occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner, vehicle="浙A12345", carrier="搬家公司")
    assert (p.status, p.version, p.items, p.override_reason) == (
        "requested", 1, [{"name": "沙发", "quantity": 1}, {"name": "纸箱", "quantity": 12}], "")
    assert p.number.startswith("FX") and len(p.token) >= 32
    p = release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"])
    assert (p.status, p.version, p.approved_by) == ("approved", 2, cast["steward"])
    p = release_pass_transition(release_pass=p, action="scan", actor_user=cast["agent"], expected_version=2)
    assert (p.status, p.used_by, p.version) == ("used", cast["agent"], 3)
    with pytest.raises(Conflict) as again:
        release_pass_transition(release_pass=p, action="scan", actor_user=cast["clerk"])
    assert again.value.code == "already_used"
    assert timezone.localtime(p.used_at).strftime("%H:%M") in again.value.message
    p.refresh_from_db()
    assert (p.status, p.used_by, p.version) == ("used", cast["agent"], 3)
    assert _events(p) == ["create", "approve", "scan"]


def test_a_unit_in_arrears_is_refused_without_a_supervisor_override(occupied, estate, cast):
    unit, owner = occupied
    in_arrears(cast["clerk"], estate, unit, amount="250.00")
    with pytest.raises(Conflict) as refused:
        make_pass(cast["agent"], unit, owner)
    assert refused.value.code == "arrears" and "250.00" in refused.value.message
    with pytest.raises(NotAllowed) as agent_override:
        make_pass(cast["steward"], unit, owner, override_reason="业主承诺下周缴清")
    assert agent_override.value.code == "override_not_allowed"
    assert not ReleasePass.objects.exists()
    p = make_pass(cast["supervisor"], unit, owner, override_reason="业主承诺下周缴清")
    assert (p.override_reason, p.overridden_by, str(p.balance_at_request)) == (
        "业主承诺下周缴清", cast["supervisor"], "250.00")
    # approved without a second override: the supervisor already let it through
    p = release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"])
    assert p.status == "approved"


def test_fees_settled_lets_the_pass_through(occupied, estate, cast):
    unit, owner = occupied
    in_arrears(cast["clerk"], estate, unit, amount="250.00")
    pay(cast["clerk"], unit, "250.00", timezone.localdate())
    assert make_pass(cast["agent"], unit, owner).status == "requested"


def test_arrears_arising_before_approval_need_the_override_at_approval(occupied, estate, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    in_arrears(cast["clerk"], estate, unit, amount="99.00")
    with pytest.raises(Conflict) as refused:
        release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"])
    assert refused.value.code == "arrears"
    p.refresh_from_db()
    assert (p.status, p.version, _events(p)) == ("requested", 1, ["create"])
    p = release_pass_transition(release_pass=p, action="approve", actor_user=cast["supervisor"],
                                override_reason="押金抵扣")
    assert (p.status, p.override_reason, p.overridden_by) == ("approved", "押金抵扣", cast["supervisor"])


def test_requester_must_occupy_the_unit(occupied, estate, cast):
    unit, _owner = occupied
    _other_unit, stranger = make_unit(estate, "CH-1-1204", occupant="李四")
    with pytest.raises(InvalidInput) as refused:
        make_pass(cast["agent"], unit, stranger)
    assert (refused.value.code, list(refused.value.fields)) == ("not_occupant", ["requester"])
    assert not ReleasePass.objects.exists()


@pytest.mark.parametrize(("field", "kwargs"), [
    ("items", {"items": []}),
    ("items", {"items": [{"name": "", "quantity": 1}]}),
    ("items", {"items": [{"name": "沙发", "quantity": 0}]}),
    ("moving_date", {"moving_date": None}),
    ("moving_date", {"moving_date": timezone.localdate() - timedelta(days=1)}),
])
def test_bad_requests_name_the_field_and_write_nothing(occupied, cast, field, kwargs):
    unit, owner = occupied
    with pytest.raises(InvalidInput) as refused:
        make_pass(cast["agent"], unit, owner, **kwargs)
    assert list(refused.value.fields) == [field]
    assert not ReleasePass.objects.exists()


def test_roles_state_and_version_are_checked(occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    with pytest.raises(NotAllowed):
        release_pass_transition(release_pass=p, action="approve", actor_user=cast["agent"])
    with pytest.raises(Conflict) as early:
        release_pass_transition(release_pass=p, action="scan", actor_user=cast["agent"])
    assert early.value.code == "invalid_transition"
    with pytest.raises(InvalidInput):
        release_pass_transition(release_pass=p, action="cancel", actor_user=cast["agent"], reason=" ")
    with pytest.raises(Conflict) as stale:
        release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"], expected_version=7)
    assert stale.value.code == "concurrent_change"
    with pytest.raises(NotAllowed):
        make_pass(cast["technician"], unit, owner)
    p.refresh_from_db()
    assert (p.status, p.version, _events(p)) == ("requested", 1, ["create"])
    p = release_pass_transition(release_pass=p, action="cancel", actor_user=cast["agent"], reason="业主改期")
    assert p.status == "cancelled"
    with pytest.raises(Conflict):
        release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"])


def test_other_company_cannot_see_the_pass(occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner)
    with pytest.raises(NotFound):
        release_pass_transition(release_pass=p, action="approve", actor_user=cast["other_steward"])
    with pytest.raises(InvalidInput):
        make_pass(cast["other_steward"], unit, owner)
    p.refresh_from_db()
    assert p.status == "requested"


def test_a_move_out_ends_the_occupancy_when_the_goods_leave(occupied, cast):
    unit, owner = occupied
    p = make_pass(cast["agent"], unit, owner, is_move_out=True)
    p = release_pass_transition(release_pass=p, action="approve", actor_user=cast["steward"])
    link = CustomerAsset.objects.get(customer=owner, asset=unit)
    assert link.ended_on is None
    release_pass_transition(release_pass=p, action="scan", actor_user=cast["agent"])
    link.refresh_from_db()
    unit.refresh_from_db()
    assert (link.ended_on, unit.unit_status) == (timezone.localdate(), "vacant")
