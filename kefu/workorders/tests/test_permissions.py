"""The permission matrix through the API: every role × every action on an order in a state where
the action is valid, plus visibility (no existence leak across companies, vendors see only their work).

Allowed → 200 and exactly one new event by that actor; denied → 403 `role_not_allowed` and
nothing written (no event, no status/version change, no notification)."""

import pytest

from kefu.notifications.models import Notification
from kefu.org.choices import RoleCode
from kefu.workorders.models import PlanApproval, WorkOrder, WorkOrderEvent
from kefu.workorders.services import CREATE_ROLES
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

ROLES = list(RoleCode.values)
INTAKE = {"agent", "steward", "supervisor", "manager", "director", "administrator"}
WORKERS = {"technician", "vendor"}
APPROVERS = {"supervisor", "manager", "director", "administrator"}

# action → (setup steps run by the administrator after create, request body, roles allowed)
MATRIX = {
    "accept": ([], {}, INTAKE),
    "dispatch": (["accept", "dispatch"], {"team": "mep"}, INTAKE),
    "start": (["accept", "dispatch"], {}, INTAKE | WORKERS),
    "hold": (["accept", "dispatch", "start"], {"reason": "等配件"}, INTAKE | WORKERS),
    "resume": (["accept", "dispatch", "start", "hold"], {}, INTAKE | WORKERS),
    "resolve": (["accept", "dispatch", "start"], {"resolution": "已修好"}, INTAKE | WORKERS),
    "close": (["accept", "dispatch", "start", "resolve"], {}, INTAKE),
    "reopen": (["accept", "dispatch", "start", "resolve", "close"], {"reason": "回访不满意"}, INTAKE | {"qa"}),
    "cancel": (["accept", "dispatch"], {"reason": "客户撤回"}, INTAKE),
    "comment": (["accept", "dispatch"], {"body": "已联系客户", "internal": False}, set(ROLES)),
    "submit_plan": (["accept", "dispatch"], {"plan": "上门处理"}, INTAKE | {"technician"}),
    # a level-less plan without an amount goes to the supervisor, so every approver covers it
    "approve_plan": (["accept", "dispatch", "submit_plan"], {"note": "同意"}, APPROVERS),
    "reject_plan": (["accept", "dispatch", "submit_plan"], {"note": "不同意"}, APPROVERS),
}
SETUP_DATA = {"hold": {"reason": "等待"}, "resolve": {"resolution": "ok"}, "submit_plan": {"plan": "方案"}}


def _state(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.status, order.version, order.plan_status, order.team_id,
            WorkOrderEvent.objects.filter(work_order=order).count(),
            PlanApproval.objects.filter(work_order=order).count(), Notification.objects.count())


def _build(cast, org, role, steps):
    """The order as the role would meet it: received by the role itself when it may receive
    (so department-scoped roles see it), dispatched to the role's own team for workers."""
    creator = cast[role] if role in CREATE_ROLES else cast["agent"]
    team = org["vend"] if role == "vendor" else org["mep"]
    order = make_work_order(actor=creator)
    for step in steps:
        data = {"team": team} if step == "dispatch" else SETUP_DATA.get(step, {})
        order = advance(order, cast["administrator"], (step, data))
    return order


@pytest.mark.parametrize("role", ROLES, ids=[f"{r}_case" for r in ROLES])
@pytest.mark.parametrize("action", list(MATRIX), ids=[f"{a}_case" for a in MATRIX])
def test_matrix(api, cast, org, role, action):
    steps, body, allowed = MATRIX[action]
    # given an order where `action` is valid for the workflow
    order = _build(cast, org, role, steps)
    body = {k: (org[v].pk if k == "team" else v) for k, v in body.items()}
    before = _state(order)
    # when the role takes the action through the API
    response = api(cast[role]).post(f"/api/v1/work-orders/{order.pk}/actions/{action}/", body, format="json")
    # then
    if role == "vendor" and not steps:
        # a vendor never sees an order that was not dispatched to it: not even its existence
        assert response.status_code == 404, response.json()
        assert _state(order) == before
    elif role in allowed:
        assert response.status_code == 200, response.json()
        new = list(WorkOrderEvent.objects.filter(work_order=order).order_by("id"))[before[4]:]
        assert [(e.action, e.actor_id) for e in new] == [(action, cast[role].pk)]
        assert response.json()["version"] == before[1] + (0 if action == "comment" else 1)
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "role_not_allowed"
        assert set(response.json()) == {"code", "message", "fields"}
        assert _state(order) == before


def test_matrix_covers_the_workflow_table():
    from kefu.workorders import workflow

    assert set(MATRIX) == set(workflow.ACTION_NAMES)
    for action, (_steps, _body, allowed) in MATRIX.items():
        assert allowed == set(workflow.TRANSITIONS[action].roles), action


# --- visibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize("outsider", ["other_steward", "other_technician"], ids=lambda o: f"{o}_case")
@pytest.mark.parametrize("action", ["comment", "accept", "cancel", "start"], ids=lambda a: f"{a}_case")
def test_other_company_gets_404_everywhere(api, cast, org, outsider, action):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["mep"]}))
    before = _state(order)
    client = api(cast[outsider])
    get = client.get(f"/api/v1/work-orders/{order.pk}/")
    assert get.status_code == 404
    assert client.get(f"/api/v1/work-orders/{order.pk}/events/").status_code == 404
    body = {"body": "x", "reason": "x"}
    response = client.post(f"/api/v1/work-orders/{order.pk}/actions/{action}/", body, format="json")
    # the same answer as for an id that does not exist: no existence leak
    missing = client.post(f"/api/v1/work-orders/{order.pk + 1000}/actions/{action}/", body, format="json")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json() == get.json()
    assert _state(order) == before
    assert client.get("/api/v1/work-orders/").json()["count"] == 0


def test_vendor_sees_only_work_dispatched_to_its_team(api, cast, org):
    agent = cast["agent"]
    mine = advance(make_work_order(actor=agent, title="电梯异响"), agent, ("dispatch", {"team": org["vend"]}))
    to_me = advance(make_work_order(actor=agent, title="电梯困人"), agent,
                    ("dispatch", {"team": org["vend"], "assignee": cast["vendor"]}))
    make_work_order(actor=agent, title="未派工")
    other = advance(make_work_order(actor=agent, title="漏水"), agent, ("dispatch", {"team": org["mep"]}))
    client = api(cast["vendor"])
    listing = client.get("/api/v1/work-orders/").json()
    assert sorted(r["id"] for r in listing["results"]) == sorted([mine.pk, to_me.pk])
    assert listing["count"] == 2
    assert client.get(f"/api/v1/work-orders/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/work-orders/{mine.pk}/actions/start/").status_code == 200


def test_technician_sees_own_department_but_cannot_start_other_teams_work(api, cast, org):
    # given a patrol finding the technician logged (so its intake department is the technician's),
    # dispatched to the vendor team
    tech = cast["technician"]
    order = make_work_order(actor=tech, channel="patrol")
    order = advance(order, cast["agent"], ("dispatch", {"team": org["vend"]}))
    before = _state(order)
    client = api(tech)
    # then the technician sees it
    assert client.get(f"/api/v1/work-orders/{order.pk}/").json()["number"] == order.number
    # but may not start it (it is not their team's work)
    response = client.post(f"/api/v1/work-orders/{order.pk}/actions/start/")
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"
    assert _state(order) == before
    # and may still comment on it
    assert client.post(f"/api/v1/work-orders/{order.pk}/actions/comment/", {"body": "已看"}).status_code == 200


def test_technician_does_not_see_other_teams_work_received_elsewhere(api, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["vend"]}))
    assert api(cast["technician"]).get(f"/api/v1/work-orders/{order.pk}/").status_code == 404


def test_assignee_outside_department_sees_and_works_on_own_assignment(api, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    client = api(cast["technician"])
    assert client.post(f"/api/v1/work-orders/{order.pk}/actions/start/").json()["status"] == "in_progress"


def test_steward_sees_only_own_department(api, cast, org):
    own = make_work_order(actor=cast["steward"])
    make_work_order(actor=cast["agent"])
    listing = api(cast["steward"]).get("/api/v1/work-orders/").json()
    assert [r["id"] for r in listing["results"]] == [own.pk]


def test_supervisor_sees_department_subtree(api, cast, org):
    front = make_work_order(actor=cast["agent"])
    stw = make_work_order(actor=cast["steward"])
    make_work_order(actor=cast["other_steward"])
    listing = api(cast["supervisor"]).get("/api/v1/work-orders/").json()
    assert sorted(r["id"] for r in listing["results"]) == sorted([front.pk, stw.pk])


@pytest.mark.parametrize("role", ["agent", "qa", "clerk", "director", "administrator"], ids=lambda r: f"{r}_case")
def test_all_visibility_roles_see_every_company(api, cast, role):
    make_work_order(actor=cast["agent"])
    make_work_order(actor=cast["other_steward"])
    assert api(cast[role]).get("/api/v1/work-orders/").json()["count"] == 2


def test_superuser_without_staff_acts_on_any_order(api, superuser, cast, org):
    order = make_work_order(actor=cast["other_steward"])
    client = api(superuser)
    assert client.post(f"/api/v1/work-orders/{order.pk}/actions/accept/").json()["status"] == "accepted"
    event = WorkOrderEvent.objects.filter(work_order=order).order_by("-id").first()
    assert (event.action, event.actor) == ("accept", superuser)


def test_user_without_staff_profile_is_refused(api, django_user_model):
    plain = django_user_model.objects.create_user("plain", password="pw")
    response = api(plain).get("/api/v1/work-orders/")
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "fields"}
