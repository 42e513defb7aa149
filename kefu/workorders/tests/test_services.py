"""work_order_create and work_order_transition against the real database: exact fields, events,
plan approval routing, and that refused calls leave no trace (no event, no change, no version bump)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.core.models import NumberSequence
from kefu.customers.tests.factories import make_asset, make_customer
from kefu.notifications.models import Notification
from kefu.org.models import Role
from kefu.workorders.choices import PlanStatus, Status
from kefu.workorders.models import PlanApproval, WorkOrder, WorkOrderEvent
from kefu.workorders.services import work_order_create, work_order_transition
from kefu.workorders.tests.factories import advance, category_for, make_work_order

pytestmark = pytest.mark.django_db


def _events(order):
    return list(WorkOrderEvent.objects.filter(work_order=order).order_by("id"))


def _snapshot(order):
    """Everything a refused call must leave untouched."""
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.status, order.version, order.plan_status, order.team_id, order.assignee_id,
            WorkOrderEvent.objects.filter(work_order=order).count(), PlanApproval.objects.filter(work_order=order).count(),
            Notification.objects.count())


def _number(seq: int) -> str:
    return f"GD{timezone.localdate():%Y%m%d}-{seq:04d}"


# --- create --------------------------------------------------------------------------------------

def test_create_sets_exact_fields_number_owner_and_one_event(cast, org):
    # given a customer with a unit
    asset = make_asset(code="A-1203")
    customer = make_customer(name="张三", phones=["138-0013-8000"], assets=[asset])
    before = timezone.now()
    # when the agent logs a repair
    order = work_order_create(actor_user=cast["agent"], type="repair", channel="phone",
                              category=category_for("repair"), title="  卫生间漏水 ", description="漏到楼下",
                              customer=customer, asset=asset, tags=["重复来电", " ", "重复来电"])
    # then
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.number == _number(1)
    assert order.status == Status.NEW
    assert order.version == 1
    assert order.title == "卫生间漏水"
    assert order.first_contact_owner == cast["agent"]
    assert order.intake_department == org["front"]
    assert order.contact_name == "张三"
    assert order.contact_phone == "13800138000"
    assert order.site_id == asset.site_id
    assert order.complaint_level is None
    assert order.priority == "normal"
    assert before <= order.received_at <= timezone.now()
    assert (order.team, order.assignee, order.plan_status, order.reopen_count) == (None, None, "none", 0)
    assert sorted(order.tags.values_list("name", flat=True)) == ["重复来电"]
    [event] = _events(order)
    assert (event.action, event.actor, event.from_status, event.to_status) == ("create", cast["agent"], "", "new")
    # the number is on the order (and persisted), taken last to keep the counter lock short
    assert WorkOrder.objects.values_list("number", flat=True).get(pk=order.pk) == order.number
    assert order.number.startswith("GD") and "number" not in event.data
    assert event.data["first_contact_owner"] == cast["agent"].pk
    assert event.data["category"] == order.category.code


def test_numbers_increment_per_day(cast):
    numbers = [make_work_order(actor=cast["agent"]).number for _ in range(3)]
    assert numbers == [_number(1), _number(2), _number(3)]
    key = f"GD{timezone.localdate():%Y%m%d}"
    assert NumberSequence.objects.get(key=key).last_value == 3


def test_complaint_level_defaults_to_1_for_complaints(cast):
    order = make_work_order(actor=cast["agent"], type="complaint")
    assert order.complaint_level == 1


@pytest.mark.parametrize("level", [2, 3], ids=["level2_case", "level3_case"])
def test_complaint_level_given(cast, level):
    assert make_work_order(actor=cast["agent"], type="complaint", complaint_level=level).complaint_level == level


@pytest.mark.parametrize(("type_", "level", "field"), [
    ("repair", 1, "complaint_level"),
    ("complaint", 4, "complaint_level"),
    ("inquiry", 2, "complaint_level"),
], ids=["level_on_repair_case", "level_4_case", "level_on_inquiry_case"])
def test_complaint_level_refused(cast, type_, level, field):
    with pytest.raises(InvalidInput) as exc:
        make_work_order(actor=cast["agent"], type=type_, complaint_level=level)
    assert list(exc.value.fields) == [field]
    assert WorkOrder.objects.count() == 0
    assert WorkOrderEvent.objects.count() == 0


def test_category_of_another_type_is_refused(cast):
    with pytest.raises(InvalidInput) as exc:
        make_work_order(actor=cast["agent"], type="repair", category=category_for("complaint"))
    assert list(exc.value.fields) == ["category"]
    assert WorkOrder.objects.count() == 0


def test_received_at_in_future_refused_and_nothing_created(cast):
    with pytest.raises(InvalidInput) as exc:
        make_work_order(actor=cast["agent"], received_at=timezone.now() + timedelta(minutes=10))
    assert list(exc.value.fields) == ["received_at"]
    assert WorkOrder.objects.count() == 0
    assert NumberSequence.objects.count() == 0


def test_earlier_received_at_is_kept_and_small_skew_clamped(cast):
    earlier = timezone.now() - timedelta(hours=3)
    assert make_work_order(actor=cast["agent"], received_at=earlier).received_at == earlier
    skewed = make_work_order(actor=cast["agent"], received_at=timezone.now() + timedelta(seconds=30))
    assert skewed.received_at <= timezone.now()


def test_promised_before_received_refused(cast):
    received = timezone.now() - timedelta(hours=1)
    with pytest.raises(InvalidInput) as exc:
        make_work_order(actor=cast["agent"], received_at=received, promised_at=received - timedelta(minutes=1))
    assert list(exc.value.fields) == ["promised_at"]
    assert WorkOrder.objects.count() == 0


def test_related_order_must_be_visible(cast):
    hidden = make_work_order(actor=cast["other_steward"])
    with pytest.raises(InvalidInput) as exc:
        make_work_order(actor=cast["steward"], related_order=hidden)
    assert list(exc.value.fields) == ["related_order"]
    assert WorkOrder.objects.count() == 1
    linked = make_work_order(actor=cast["other_steward"], related_order=hidden)
    assert linked.related_order == hidden


def test_owner_override_by_agent_refused(cast):
    with pytest.raises(NotAllowed):
        make_work_order(actor=cast["agent"], first_contact_owner=cast["steward"])
    assert WorkOrder.objects.count() == 0


def test_owner_override_by_supervisor(cast, org):
    order = make_work_order(actor=cast["supervisor"], first_contact_owner=cast["steward"])
    assert order.first_contact_owner == cast["steward"]
    assert order.intake_department == org["stw"]
    [event] = _events(order)
    assert event.actor == cast["supervisor"]
    assert event.data["first_contact_owner"] == cast["steward"].pk


@pytest.mark.parametrize("role", ["qa", "vendor"], ids=["qa_case", "vendor_case"])
def test_create_refused_for_roles_without_intake(cast, role):
    with pytest.raises(NotAllowed):
        make_work_order(actor=cast[role])
    assert WorkOrder.objects.count() == 0


def test_create_by_superuser_without_staff(superuser):
    order = make_work_order(actor=superuser)
    assert order.first_contact_owner == superuser
    assert order.intake_department is None


# --- transitions ------------------------------------------------------------------------------

def test_full_path_with_events(cast, org):
    agent, tech = cast["agent"], cast["technician"]
    order = make_work_order(actor=agent)
    order = advance(order, agent, "accept")
    assert (order.status, order.version) == ("accepted", 2)
    order = advance(order, agent, ("dispatch", {"team": org["mep"], "assignee": tech}))
    assert (order.status, order.version, order.team, order.assignee) == ("dispatched", 3, org["mep"], tech)
    order = advance(order, tech, "start", ("hold", {"reason": "等配件", "waiting_for": "parts"}))
    assert (order.status, order.hold_reason, order.version) == ("on_hold", "parts", 5)
    order = advance(order, tech, "resume")
    assert (order.status, order.hold_reason) == ("in_progress", "")
    order = advance(order, tech, ("resolve", {"resolution": "更换阀门"}))
    assert (order.status, order.resolution, order.version) == ("resolved", "更换阀门", 7)
    assert order.resolved_at is not None
    order = advance(order, agent, "close")
    assert order.status == "closed" and order.closed_at is not None and order.version == 8

    rows = [(e.action, e.actor.username, e.from_status, e.to_status, e.body) for e in _events(order)]
    assert rows == [
        ("create", "agent", "", "new", ""),
        ("accept", "agent", "new", "accepted", ""),
        ("dispatch", "agent", "accepted", "dispatched", ""),
        ("start", "technician", "dispatched", "in_progress", ""),
        ("hold", "technician", "in_progress", "on_hold", "等配件"),
        ("resume", "technician", "on_hold", "in_progress", ""),
        ("resolve", "technician", "in_progress", "resolved", "更换阀门"),
        ("close", "agent", "resolved", "closed", ""),
    ]
    dispatch = _events(order)[2]
    assert dispatch.data == {"team": org["mep"].pk, "team_name": "水电组", "assignee": tech.pk,
                             "assignee_name": tech.staff.display_name}
    assert _events(order)[4].data == {"reason": "等配件", "waiting_for": "parts"}


def test_reopen_resets_times_and_counts(cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept", ("resolve", {"resolution": "ok"}),
                    "close")
    order = advance(order, cast["qa"], ("reopen", {"reason": "回访不满意"}))
    assert (order.status, order.reopen_count, order.resolved_at, order.closed_at) == ("accepted", 1, None, None)
    event = _events(order)[-1]
    assert (event.action, event.actor, event.from_status, event.to_status, event.body, event.data) == (
        "reopen", cast["qa"], "closed", "accepted", "回访不满意", {"reason": "回访不满意"})
    order = advance(order, cast["agent"], ("resolve", {"resolution": "再修"}), ("reopen", {"reason": "again"}))
    assert order.reopen_count == 2
    assert order.version == 7


def test_cancel_records_reason(cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("cancel", {"reason": "客户撤回"}))
    assert (order.status, order.version) == ("cancelled", 2)
    event = _events(order)[-1]
    assert (event.from_status, event.to_status, event.body, event.data) == ("new", "cancelled", "客户撤回",
                                                                            {"reason": "客户撤回"})


def test_comment_does_not_move_or_version(cast):
    order = make_work_order(actor=cast["agent"])
    order = advance(order, cast["qa"], ("comment", {"body": " 已回电 ", "internal": False}))
    assert (order.status, order.version) == ("new", 1)
    event = _events(order)[-1]
    assert (event.action, event.actor, event.from_status, event.to_status, event.body, event.internal) == (
        "comment", cast["qa"], "new", "new", "已回电", False)


@pytest.mark.parametrize(("action", "data", "field"), [
    ("dispatch", {}, "team"),
    ("hold", {"reason": "  "}, "reason"),
    ("resolve", {"resolution": ""}, "resolution"),
    ("cancel", {}, "reason"),
    ("comment", {"body": ""}, "body"),
    ("submit_plan", {"plan": ""}, "plan"),
], ids=["dispatch_team_case", "hold_reason_case", "resolve_resolution_case", "cancel_reason_case",
        "comment_body_case", "submit_plan_plan_case"])
def test_required_fields(cast, action, data, field):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    if action == "hold":
        order = advance(order, cast["agent"], "start")
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action=action, actor_user=cast["agent"], **data)
    assert exc.value.code == "required"
    assert list(exc.value.fields) == [field]
    assert _snapshot(order) == before


def test_assignee_must_be_in_team(cast, org):
    order = make_work_order(actor=cast["agent"])
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action="dispatch", actor_user=cast["agent"], team=org["mep"],
                              assignee=cast["vendor"])
    assert list(exc.value.fields) == ["assignee"]
    assert _snapshot(order) == before


def test_dispatch_to_non_team_refused(cast, org):
    order = make_work_order(actor=cast["agent"])
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action="dispatch", actor_user=cast["agent"], team=org["eng"])
    assert list(exc.value.fields) == ["team"]
    assert _snapshot(order) == before


def test_invalid_state_is_conflict_without_trace(cast):
    order = make_work_order(actor=cast["agent"])
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_transition(work_order=order, action="close", actor_user=cast["agent"])
    assert exc.value.code == "invalid_transition"
    assert _snapshot(order) == before


def test_stale_expected_version_is_conflict(cast):
    order = make_work_order(actor=cast["agent"])
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_transition(work_order=order, action="accept", actor_user=cast["agent"], expected_version=7)
    assert exc.value.code == "concurrent_change"
    assert _snapshot(order) == before
    assert work_order_transition(work_order=order, action="accept", actor_user=cast["agent"],
                                 expected_version=1).version == 2


def test_invisible_order_is_not_found(cast):
    order = make_work_order(actor=cast["agent"])
    before = _snapshot(order)
    with pytest.raises(NotFound):
        work_order_transition(work_order=order, action="comment", actor_user=cast["other_steward"], body="x")
    assert _snapshot(order) == before


def test_inactive_staff_may_not_act(cast):
    order = make_work_order(actor=cast["agent"])
    user = cast["steward"]
    user.staff.is_active = False
    user.staff.save()
    user.refresh_from_db()
    before = _snapshot(order)
    with pytest.raises(NotAllowed):
        work_order_transition(work_order=order.pk, action="accept", actor_user=user)
    assert _snapshot(order) == before


# --- plans and approval -------------------------------------------------------------------------

def _accepted(cast, **kwargs):
    return advance(make_work_order(actor=cast["agent"], **kwargs), cast["agent"], "accept")


@pytest.mark.parametrize(("type_", "level", "amount", "role"), [
    ("repair", None, None, "supervisor"),
    ("repair", None, "300", "supervisor"),
    ("repair", None, "500", "supervisor"),
    ("repair", None, "500.01", "manager"),
    ("complaint", 2, None, "manager"),
    ("complaint", 2, "5000", "manager"),
    ("repair", None, "8000", "director"),
    ("complaint", 3, "1", "director"),
], ids=["no_amount_case", "repair_300_case", "limit_500_case", "over_500_case", "level2_case",
        "level2_5000_case", "amount_8000_case", "level3_case"])
def test_plan_routing(cast, type_, level, amount, role):
    order = _accepted(cast, type=type_, complaint_level=level)
    order = work_order_transition(work_order=order, action="submit_plan", actor_user=cast["agent"], plan="赔偿方案",
                                  compensation_amount=amount)
    assert (order.plan_status, order.plan_role.code, order.plan, order.version) == ("pending", role, "赔偿方案", 3)
    assert order.compensation_amount == (Decimal(amount) if amount else None)
    [approval] = PlanApproval.objects.filter(work_order=order)
    assert (approval.decision, approval.required_role.code, approval.submitted_by, approval.complaint_level) == (
        "pending", role, cast["agent"], level)
    event = _events(order)[-1]
    assert (event.action, event.from_status, event.to_status, event.body) == (
        "submit_plan", "accepted", "accepted", "赔偿方案")
    assert event.data == {"compensation_amount": str(Decimal(amount)) if amount else None, "required_role": role}


def test_level2_complaint_resolves_only_after_approval(cast):
    order = _accepted(cast, type="complaint", complaint_level=2)
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_transition(work_order=order, action="resolve", actor_user=cast["agent"], resolution="done")
    assert exc.value.code == "plan_not_approved"
    assert _snapshot(order) == before
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "道歉并上门"}))
    with pytest.raises(Conflict):
        work_order_transition(work_order=order, action="resolve", actor_user=cast["agent"], resolution="done")
    order = advance(order, cast["manager"], ("approve_plan", {"note": "同意"}))
    assert order.plan_status == PlanStatus.APPROVED
    [approval] = PlanApproval.objects.filter(work_order=order)
    assert (approval.decision, approval.decided_by, approval.note) == ("approved", cast["manager"], "同意")
    assert approval.decided_at is not None
    order = advance(order, cast["agent"], ("resolve", {"resolution": "已处理"}))
    assert (order.status, order.version) == ("resolved", 5)


def test_compensation_on_repair_needs_approval_before_resolve(cast):
    order = _accepted(cast)
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "赔偿", "compensation_amount": "300"}))
    with pytest.raises(Conflict):
        work_order_transition(work_order=order, action="resolve", actor_user=cast["agent"], resolution="done")
    order = advance(order, cast["supervisor"], "approve_plan", ("resolve", {"resolution": "done"}))
    assert order.status == "resolved"


def test_supervisor_cannot_approve_800_and_nothing_changes(cast):
    order = _accepted(cast)
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "赔偿", "compensation_amount": "800"}))
    assert order.plan_role.code == "manager"
    before = _snapshot(order)
    with pytest.raises(NotAllowed) as exc:
        work_order_transition(work_order=order, action="approve_plan", actor_user=cast["supervisor"])
    assert exc.value.code == "authority_exceeded"
    assert _snapshot(order) == before
    assert PlanApproval.objects.get(work_order=order).decision == "pending"


@pytest.mark.parametrize("role", ["manager", "director", "administrator"], ids=lambda r: f"{r}_case")
def test_higher_roles_approve_800(cast, role):
    order = _accepted(cast)
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "赔偿", "compensation_amount": "800"}))
    order = advance(order, cast[role], "approve_plan")
    assert order.plan_status == "approved"
    assert PlanApproval.objects.get(work_order=order).decided_by == cast[role]


def test_manager_cannot_approve_8000(cast):
    order = _accepted(cast)
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "赔偿", "compensation_amount": "8000"}))
    before = _snapshot(order)
    with pytest.raises(NotAllowed):
        work_order_transition(work_order=order, action="approve_plan", actor_user=cast["manager"])
    assert _snapshot(order) == before


def test_reject_requires_note_and_records_decision(cast):
    order = advance(_accepted(cast), cast["agent"], ("submit_plan", {"plan": "方案A"}))
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action="reject_plan", actor_user=cast["supervisor"], note=" ")
    assert list(exc.value.fields) == ["note"]
    assert _snapshot(order) == before
    order = advance(order, cast["supervisor"], ("reject_plan", {"note": "金额不合理"}))
    assert (order.plan_status, order.version) == ("rejected", 4)
    [approval] = PlanApproval.objects.filter(work_order=order)
    assert (approval.decision, approval.decided_by, approval.note) == ("rejected", cast["supervisor"], "金额不合理")
    event = _events(order)[-1]
    assert (event.action, event.body, event.data) == ("reject_plan", "金额不合理", {"note": "金额不合理"})
    # a new plan may be submitted after a rejection: a second PlanApproval row
    order = advance(order, cast["agent"], ("submit_plan", {"plan": "方案B"}))
    assert list(PlanApproval.objects.filter(work_order=order).values_list("plan", "decision")) == [
        ("方案A", "rejected"), ("方案B", "pending")]


def test_second_submit_while_pending_is_conflict(cast):
    order = advance(_accepted(cast), cast["agent"], ("submit_plan", {"plan": "方案A"}))
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_transition(work_order=order, action="submit_plan", actor_user=cast["agent"], plan="方案B")
    assert exc.value.code == "plan_pending"
    assert _snapshot(order) == before


def test_approve_without_pending_plan_is_conflict(cast):
    order = _accepted(cast)
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_transition(work_order=order, action="approve_plan", actor_user=cast["director"])
    assert exc.value.code == "no_pending_plan"
    assert _snapshot(order) == before


@pytest.mark.parametrize("amount", ["-1", "abc", "1.001", "99999999999"],
                         ids=["negative_case", "text_case", "three_decimals_case", "too_big_case"])
def test_bad_amount_refused(cast, amount):
    order = _accepted(cast)
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action="submit_plan", actor_user=cast["agent"], plan="p",
                              compensation_amount=amount)
    assert list(exc.value.fields) == ["compensation_amount"]
    assert _snapshot(order) == before


def test_no_approver_role_covers_amount(cast):
    Role.objects.filter(code="director").update(max_approval_amount=Decimal("10000"))
    order = _accepted(cast)
    before = _snapshot(order)
    with pytest.raises(InvalidInput) as exc:
        work_order_transition(work_order=order, action="submit_plan", actor_user=cast["agent"], plan="p",
                              compensation_amount="20000")
    assert list(exc.value.fields) == ["compensation_amount"]
    assert _snapshot(order) == before
