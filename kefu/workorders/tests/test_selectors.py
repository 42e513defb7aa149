"""Reads scoped to the actor: queues and their counts, the actions offered, intake look-ups."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.errors import NotFound
from kefu.customers.tests.factories import make_asset, make_customer
from kefu.org.selectors import actor_for_user
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import (
    queue_counts,
    queue_q,
    work_order_available_actions,
    work_order_events,
    work_order_get_for_actor,
    work_order_list_for_actor,
    work_order_related_for_intake,
)
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db


def _queue(user, name):
    actor = actor_for_user(user)
    return sorted(work_order_list_for_actor(actor=actor).filter(queue_q(actor=actor, queue=name))
                  .values_list("title", flat=True))


@pytest.fixture
def queues(cast, org):
    agent, admin = cast["agent"], cast["administrator"]
    make_work_order(actor=agent, title="new")
    advance(make_work_order(actor=agent, title="mep-assigned"), admin,
            ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    advance(make_work_order(actor=agent, title="mep-team"), admin, ("dispatch", {"team": org["mep"]}))
    advance(make_work_order(actor=agent, title="resolved"), admin, "accept", ("resolve", {"resolution": "ok"}))
    advance(make_work_order(actor=agent, title="closed"), admin, "accept", ("resolve", {"resolution": "ok"}), "close")
    advance(make_work_order(actor=agent, title="level2-plan", type="complaint", complaint_level=2), admin, "accept",
            ("submit_plan", {"plan": "p"}))
    advance(make_work_order(actor=agent, title="small-plan"), admin, "accept", ("submit_plan", {"plan": "p"}))
    advance(make_work_order(actor=agent, title="cancelled"), admin, ("cancel", {"reason": "x"}))


@pytest.mark.parametrize(("role", "queue", "expected"), [
    ("technician", "mine", ["mep-assigned"]),
    ("technician", "team", ["mep-assigned", "mep-team"]),
    ("agent", "received", ["level2-plan", "mep-assigned", "mep-team", "new", "resolved", "small-plan"]),
    ("agent", "mine", []),
    ("manager", "approval", ["level2-plan"]),
    ("supervisor", "approval", ["small-plan"]),
    ("director", "approval", []),
    ("administrator", "approval", ["level2-plan", "small-plan"]),
    ("supervisor", "dispatch", ["level2-plan", "new", "small-plan"]),
    ("administrator", "dispatch", ["level2-plan", "new", "small-plan"]),
    ("agent", "all", ["cancelled", "closed", "level2-plan", "mep-assigned", "mep-team", "new", "resolved",
                      "small-plan"]),
], ids=["tech_mine_case", "tech_team_case", "agent_received_keeps_resolved_case", "agent_mine_case",
        "manager_approval_case", "supervisor_approval_case", "director_approval_case", "admin_approval_case",
        "supervisor_dispatch_case", "admin_dispatch_case", "agent_all_case"])
def test_queues(cast, queues, role, queue, expected):
    assert _queue(cast[role], queue) == expected


def test_queue_counts_match_queues(cast, queues):
    for role in ("technician", "agent", "manager", "supervisor", "administrator"):
        counts = queue_counts(actor=actor_for_user(cast[role]))
        names = ("mine", "team", "received", "approval")
        if role in ("manager", "supervisor", "administrator"):
            names = ("dispatch", *names)
        assert counts == {name: len(_queue(cast[role], name)) for name in names}


def test_queue_counts_query_count_is_fixed(cast, org, queues):
    # a handful of COUNTs at most, however many orders there are
    actor = actor_for_user(cast["agent"])
    queue_counts(actor=actor)  # resolves and caches the actor's department subtree
    with CaptureQueriesContext(connection) as small:
        queue_counts(actor=actor)
    for _ in range(5):
        advance(make_work_order(actor=cast["agent"]), cast["administrator"], ("dispatch", {"team": org["mep"]}))
    with CaptureQueriesContext(connection) as large:
        counts = queue_counts(actor=actor)
    assert counts["received"] == 11
    assert len(large.captured_queries) == len(small.captured_queries) <= 4


@pytest.mark.parametrize(("role", "steps", "expected"), [
    ("agent", [], ["accept", "dispatch", "cancel", "comment"]),
    ("qa", [], ["comment"]),
    ("technician", [("dispatch", {"team": "mep"})], ["start", "comment", "submit_plan"]),
    ("vendor", [("dispatch", {"team": "vend"})], ["start", "comment"]),
    ("technician", [("dispatch", {"team": "vend"})], ["comment"]),
    ("supervisor", ["accept", ("submit_plan", {"plan": "p"})],
     ["dispatch", "start", "resolve", "cancel", "comment", "approve_plan", "reject_plan"]),
    ("supervisor", ["accept", ("submit_plan", {"plan": "p", "compensation_amount": "800"})],
     ["dispatch", "start", "cancel", "comment"]),
    ("agent", ["accept", ("resolve", {"resolution": "ok"})], ["close", "reopen", "comment"]),
    ("qa", ["accept", ("resolve", {"resolution": "ok"})], ["reopen", "comment"]),
], ids=["agent_new_case", "qa_new_case", "tech_own_team_case", "vendor_own_team_case", "tech_other_team_case",
        "supervisor_pending_plan_case", "supervisor_over_authority_case", "agent_resolved_case", "qa_resolved_case"])
def test_available_actions(cast, org, role, steps, expected):
    creator = cast["technician"] if role == "technician" else cast["agent"]
    order = make_work_order(actor=creator)
    for step in steps:
        action, data = (step, {}) if isinstance(step, str) else step
        data = {k: (org[v] if k == "team" else v) for k, v in data.items()}
        order = advance(order, cast["administrator"], (action, data))
    order = WorkOrder.objects.get(pk=order.pk)
    assert work_order_available_actions(actor=actor_for_user(cast[role]), order=order) == expected


def test_resolve_not_offered_before_plan_approved(cast):
    order = advance(make_work_order(actor=cast["agent"], type="complaint", complaint_level=2), cast["agent"],
                    "accept")
    actions = work_order_available_actions(actor=actor_for_user(cast["agent"]), order=order)
    assert "resolve" not in actions and "submit_plan" in actions


def test_invisible_order_offers_nothing(cast):
    order = make_work_order(actor=cast["agent"])
    assert work_order_available_actions(actor=actor_for_user(cast["other_steward"]), order=order) == []


@pytest.mark.parametrize("pk", ["abc", None, "1.5", 999999], ids=["text_case", "none_case", "float_case",
                                                                  "missing_case"])
def test_get_for_actor_not_found(cast, pk):
    with pytest.raises(NotFound):
        work_order_get_for_actor(actor=actor_for_user(cast["agent"]), pk=pk)


def test_events_internal_filter(cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("comment", {"body": "内部"}),
                    ("comment", {"body": "公开", "internal": False}))
    assert [e.body for e in work_order_events(order=order)] == ["", "内部", "公开"]
    assert [e.body for e in work_order_events(order=order, include_internal=False)] == ["", "公开"]


def test_related_for_intake(cast):
    unit = make_asset(code="A-0101")
    customer = make_customer(assets=[unit])
    other = make_customer()
    agent = cast["agent"]
    open_old = make_work_order(actor=agent, customer=customer, title="open-old",
                               received_at=timezone.now() - timedelta(days=90))
    closed_old = advance(make_work_order(actor=agent, customer=customer, title="closed-old",
                                         received_at=timezone.now() - timedelta(days=90)), agent,
                         ("cancel", {"reason": "x"}))
    recent_closed = advance(make_work_order(actor=agent, customer=customer, title="recent-cancelled"), agent,
                            ("cancel", {"reason": "x"}))
    same_unit = make_work_order(actor=agent, customer=other, asset=unit, title="same-unit")
    hidden = make_work_order(actor=cast["other_steward"], customer=customer, title="hidden")
    actor = actor_for_user(cast["steward"])
    assert work_order_related_for_intake(actor=actor, customer_id=customer.pk) == []
    actor = actor_for_user(agent)
    titles = [o.title for o in work_order_related_for_intake(actor=actor, customer_id=customer.pk)]
    assert sorted(titles) == sorted(["open-old", "recent-cancelled", "hidden"])
    titles = [o.title for o in work_order_related_for_intake(actor=actor, asset_id=unit.pk)]
    assert titles == ["same-unit"]
    assert work_order_related_for_intake(actor=actor) == []
    assert closed_old.title not in titles
    del open_old, recent_closed, same_unit, hidden
