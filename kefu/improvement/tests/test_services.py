"""The gate, creation and proposals, against the real database."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent, ImprovementSettings
from kefu.improvement.services import corrective_action_create, corrective_action_transition
from kefu.improvement.tests.factories import advance, make_notice, make_proposal, taken

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _snapshot(notice):
    notice.refresh_from_db()
    return (notice.status, notice.version, notice.round, notice.events.count())


# --- create -----------------------------------------------------------------------------------

def test_qa_raises_a_notice_issued_at_once(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"],
                         evidence=[{"kind": "work_order", "label": "GD1", "url": "/work-orders/1/"}])
    notice.refresh_from_db()
    assert re.fullmatch(r"CA\d{8}-0001", notice.number)
    assert notice.status == "issued"
    assert notice.source == "manual"
    assert notice.owner == cast["agent"]
    assert notice.responsible_department == org["front"]
    assert notice.issued_by == cast["qa"]
    assert notice.issuer_role == "qa"
    assert notice.due_date == _today() + timedelta(days=14)
    assert notice.evidence == [{"kind": "work_order", "label": "GD1", "url": "/work-orders/1/"}]
    assert notice.escalation_step == 0
    assert timezone.localtime(notice.next_escalation_at).date() == _today() + timedelta(days=15)
    event = notice.events.get()
    assert (event.action, event.actor, event.from_status, event.to_status) == ("create", cast["qa"], "", "issued")
    assert event.data["owner"] == cast["agent"].pk


def test_agent_may_not_raise_a_notice(cast, org):
    with pytest.raises(NotAllowed):
        make_notice(actor=cast["agent"], owner=cast["agent"], department=org["front"])
    assert CorrectiveAction.objects.count() == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"owner": "technician"}, "owner"),          # not in the responsible department
    ({"department": "oteam"}, "responsible_department"),  # outside the supervisor's subtree
    ({"title": "  "}, "title"),
    ({"nonconformity": ""}, "nonconformity"),
    ({"due_date": -1}, "due_date"),
    ({"evidence": [{"kind": "link", "url": "javascript:alert(1)"}]}, "evidence"),
    ({"evidence": [{"kind": "nonsense"}]}, "evidence"),
])
def test_create_refuses_bad_input_and_writes_nothing(cast, org, change, field):
    values = {"actor_user": cast["supervisor"], "title": "标题", "nonconformity": "问题",
              "responsible_department": org[change.get("department", "front")],
              "owner": cast[change.get("owner", "agent")],
              "due_date": _today() + timedelta(days=change.get("due_date", 7))}
    values.update({k: v for k, v in change.items() if k in ("title", "nonconformity", "evidence")})
    with pytest.raises(InvalidInput) as error:
        corrective_action_create(**values)
    assert list(error.value.fields) == [field]
    assert field in error.value.fields[field][0] or field in error.value.message
    assert CorrectiveAction.objects.count() == 0
    assert CorrectiveActionEvent.objects.count() == 0


# --- proposals ------------------------------------------------------------------------------------

def test_proposal_is_idempotent_on_reference(db, org):
    first = make_proposal(responsible_department=org["stw"])
    second = make_proposal(responsible_department=org["front"], nonconformity="different")
    assert first.pk == second.pk
    assert CorrectiveAction.objects.count() == 1
    first.refresh_from_db()
    assert first.status == "proposed"
    assert first.source == "survey"
    assert first.item_code == "cleaning"
    assert first.responsible_department == org["stw"]
    assert first.title == "保洁服务满意度 82%，低于目标 95%。"
    assert first.owner is None and first.due_date is None
    assert list(first.events.values_list("action", "actor", "to_status")) == [("propose", None, "proposed")]


def test_proposals_can_be_switched_off(db):
    ImprovementSettings.objects.create(pk=1, proposals_enabled=False)
    assert make_proposal() is None
    assert CorrectiveAction.objects.count() == 0


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"source": "manual"}, "source"), ({"source": "gossip"}, "source"), ({"reference": " "}, "reference"),
    ({"nonconformity": ""}, "nonconformity"), ({"evidence": "not a list"}, "evidence"),
])
def test_proposal_refuses_bad_input(db, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        make_proposal(**kwargs)
    assert list(error.value.fields) == [field]
    assert CorrectiveAction.objects.count() == 0


# --- the acceptance path ------------------------------------------------------------------------

def test_below_target_item_proposes_then_owner_cannot_verify_and_not_effective_reissues(cast, org):
    notice = make_proposal(responsible_department=org["front"])
    due = _today() + timedelta(days=10)
    notice = advance(notice, cast["qa"], ("issue", {"responsible_department": org["front"], "owner": cast["agent"],
                                                    "due_date": due}))
    assert (notice.status, notice.owner, notice.issued_by, notice.issuer_role) == ("issued", cast["agent"],
                                                                                   cast["qa"], "qa")
    notice = taken(notice, cast["agent"])
    assert notice.status == "action_taken"
    assert notice.root_cause == "排班不足"

    # the owner cannot verify their own notice
    before = _snapshot(notice)
    with pytest.raises(NotAllowed) as error:
        corrective_action_transition(notice=notice, action="verify_effective", actor_user=cast["agent"],
                                     verification="自评有效")
    assert error.value.code == "role_not_allowed"  # agents never verify
    assert _snapshot(notice) == before

    new_due = _today() + timedelta(days=20)
    notice = advance(notice, cast["qa"], ("verify_not_effective", {"verification": "复查接听率仍为 80%",
                                                                   "due_date": new_due}))
    assert (notice.status, notice.round, notice.due_date, notice.verified_by) == ("reissued", 2, new_due, cast["qa"])
    assert notice.escalation_step == 0
    assert timezone.localtime(notice.next_escalation_at).date() == new_due + timedelta(days=1)

    notice = taken(notice, cast["agent"])
    notice = advance(notice, cast["qa"], ("verify_effective", {"verification": "接听率 97%"}), "close")
    assert notice.status == "closed"
    assert notice.closed_at is not None
    assert notice.next_escalation_at is None
    rows = list(notice.events.order_by("id").values_list("action", "actor__username", "from_status", "to_status"))
    assert rows == [
        ("propose", None, "", "proposed"),
        ("issue", "qa", "proposed", "issued"),
        ("accept", "agent", "issued", "accepted"),
        ("record_action", "agent", "accepted", "action_taken"),
        ("verify_not_effective", "qa", "action_taken", "reissued"),
        ("accept", "agent", "reissued", "accepted"),
        ("record_action", "agent", "accepted", "action_taken"),
        ("verify_effective", "qa", "action_taken", "effective"),
        ("close", "qa", "effective", "closed"),
    ]
    assert all(e.created_at for e in notice.events.all())


def test_a_qa_owner_cannot_verify_their_own_notice(cast, org):
    notice = make_notice(actor=cast["supervisor"], owner=cast["qa"], department=org["cs"])
    notice = taken(notice, cast["qa"])
    before = _snapshot(notice)
    with pytest.raises(NotAllowed) as error:
        corrective_action_transition(notice=notice, action="verify_effective", actor_user=cast["qa"],
                                     verification="ok")
    assert error.value.code == "own_notice"
    assert _snapshot(notice) == before


def test_whoever_recorded_the_action_cannot_verify_it(cast, org):
    # the supervisor issued it and recorded the action for their department: QA must verify
    notice = make_notice(actor=cast["supervisor"], owner=cast["agent"], department=org["front"])
    notice = advance(notice, cast["supervisor"], "accept",
                     ("record_action", {"root_cause": "a", "action_taken": "b"}))
    with pytest.raises(NotAllowed) as error:
        corrective_action_transition(notice=notice, action="verify_effective", actor_user=cast["supervisor"],
                                     verification="ok")
    assert error.value.code == "own_notice"
    notice = advance(notice, cast["qa"], ("verify_effective", {"verification": "ok"}))
    assert notice.status == "effective"


def test_verification_only_by_qa_or_the_issuers_role(cast, org):
    notice = taken(make_notice(actor=cast["supervisor"], owner=cast["agent"], department=org["front"]), cast["agent"])
    for name in ("manager", "director", "administrator"):
        with pytest.raises(NotAllowed) as error:
            corrective_action_transition(notice=notice, action="verify_effective", actor_user=cast[name],
                                         verification="ok")
        assert error.value.code == "role_not_allowed"
    notice.refresh_from_db()
    assert notice.status == "action_taken"
    notice = advance(notice, cast["supervisor"], ("verify_effective", {"verification": "ok"}))
    assert notice.status == "effective"


def test_only_the_owners_side_accepts(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    with pytest.raises(NotAllowed) as error:
        corrective_action_transition(notice=notice, action="accept", actor_user=cast["clerk"])
    assert error.value.code == "not_owner"
    # the owner's supervisor may act for the department
    notice = advance(notice, cast["supervisor"], "accept")
    assert notice.status == "accepted"


def test_state_refusal_is_409_and_writes_nothing(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    before = _snapshot(notice)
    with pytest.raises(Conflict) as error:
        corrective_action_transition(notice=notice, action="verify_effective", actor_user=cast["qa"],
                                     verification="ok")
    assert error.value.code == "invalid_transition"
    with pytest.raises(Conflict):
        corrective_action_transition(notice=notice, action="issue", actor_user=cast["qa"],
                                     responsible_department=org["front"], owner=cast["agent"], due_date=_today())
    assert _snapshot(notice) == before


def test_required_fields_are_400_and_write_nothing(cast, org):
    notice = advance(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"],
                     "accept")
    before = _snapshot(notice)
    with pytest.raises(InvalidInput) as error:
        corrective_action_transition(notice=notice, action="record_action", actor_user=cast["agent"],
                                     root_cause=" ", action_taken="加开席位")
    assert error.value.fields == {"root_cause": ["此项为必填项：root_cause"]}
    assert _snapshot(notice) == before


def test_reissue_needs_a_future_due_date(cast, org):
    notice = taken(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"])
    before = _snapshot(notice)
    with pytest.raises(InvalidInput) as error:
        corrective_action_transition(notice=notice, action="verify_not_effective", actor_user=cast["qa"],
                                     verification="无效", due_date=_today() - timedelta(days=1))
    assert list(error.value.fields) == ["due_date"]
    assert _snapshot(notice) == before


def test_stale_version_is_a_concurrent_change(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    stale = notice.version
    advance(notice, cast["agent"], ("comment", {"body": "收到"}))  # comments do not bump the version
    advance(notice, cast["agent"], "accept")
    with pytest.raises(Conflict) as error:
        corrective_action_transition(notice=notice, action="record_action", actor_user=cast["agent"],
                                     expected_version=stale, root_cause="a", action_taken="b")
    assert error.value.code == "concurrent_change"
    notice.refresh_from_db()
    assert (notice.status, notice.version, notice.events.count()) == ("accepted", stale + 1, 3)


def test_invisible_notice_is_404(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    for name in ("other_steward", "technician", "vendor"):
        with pytest.raises(NotFound):
            corrective_action_transition(notice=notice, action="comment", actor_user=cast[name], body="hi")
    assert notice.events.count() == 1


def test_dismissing_a_proposal(cast, org):
    notice = make_proposal(responsible_department=org["front"])
    with pytest.raises(InvalidInput):
        corrective_action_transition(notice=notice, action="dismiss", actor_user=cast["qa"], reason="")
    notice = advance(notice, cast["qa"], ("dismiss", {"reason": "样本量太小"}))
    assert notice.status == "dismissed"
    assert notice.events.last().body == "样本量太小"
    with pytest.raises(Conflict):
        corrective_action_transition(notice=notice, action="issue", actor_user=cast["qa"],
                                     responsible_department=org["front"], owner=cast["agent"], due_date=_today())


def test_unknown_action_is_404(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"])
    with pytest.raises(NotFound) as error:
        corrective_action_transition(notice=notice, action="explode", actor_user=cast["qa"])
    assert error.value.code == "unknown_action"
