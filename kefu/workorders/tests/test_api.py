"""The work-order API contract: auth and the error shape, create, one POST per action with the
issue's bodies, list filters/ordering/pagination, events, attachments and the OpenAPI schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.core.models import NumberSequence
from kefu.customers.tests.factories import make_asset, make_customer
from kefu.org.tests.factories import PASSWORD
from kefu.workorders.models import Attachment, PlanApproval, WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, category_for, make_work_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def _action(client, order, name, body=None):
    return client.post(f"{URL}{order.pk}/actions/{name}/", body or {}, format="json")


def _events(order):
    return list(WorkOrderEvent.objects.filter(work_order=order).order_by("id"))


def _state(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.status, order.version, order.plan_status, order.team_id, order.assignee_id,
            WorkOrderEvent.objects.filter(work_order=order).count())


def _create_body(**overrides):
    body = {"type": "repair", "channel": "phone", "category": category_for("repair").pk, "title": "客厅灯不亮",
            "description": "客户来电"}
    body.update(overrides)
    return body


def _number(seq: int) -> str:
    return f"GD{timezone.localdate():%Y%m%d}-{seq:04d}"


# --- auth and the error shape ------------------------------------------------------------------

def test_token_good_credentials(cast):
    response = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(URL).json()["count"] == 0


def test_token_bad_password(cast):
    response = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["non_field_errors"]
    assert "token" not in body


@pytest.mark.parametrize("path", [URL, "/api/v1/customers/", "/api/v1/teams/", "/api/v1/staff/"],
                         ids=["work_orders_case", "customers_case", "teams_case", "staff_case"])
def test_unauthenticated_is_401_in_error_shape(db, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert (body["code"], body["fields"]) == ("not_authenticated", {})


def test_bad_token_is_401(db):
    response = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


# --- create ---------------------------------------------------------------------------------------

def test_create_returns_the_order(api, cast, org):
    customer = make_customer(name="李四", phones=["13900001111"])
    received = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    response = api(cast["agent"]).post(URL, _create_body(customer=customer.pk, received_at=received.isoformat(),
                                                         priority="high", tags=["夜间"], status="closed",
                                                         version=9, number="X1"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    order = WorkOrder.objects.get()
    # `status`, `version` and `number` in the body are ignored (read-only)
    assert (body["id"], body["number"], body["status"], body["version"]) == (order.pk, _number(1), "new", 1)
    assert body["first_contact_owner"] == {"id": cast["agent"].pk, "name": cast["agent"].staff.display_name}
    assert (body["customer"], body["customer_name"], body["contact_name"], body["contact_phone"]) == (
        customer.pk, "李四", "李四", "13900001111")
    assert (body["priority"], body["complaint_level"], body["tags"]) == ("high", None, ["夜间"])
    assert body["category_code"] == category_for("repair").code
    assert order.received_at == received
    assert order.intake_department == org["front"]
    assert [(e.action, e.actor_id) for e in _events(order)] == [("create", cast["agent"].pk)]


def test_create_complaint_defaults_to_level_1(api, cast):
    body = _create_body(type="complaint", category=category_for("complaint").pk)
    assert api(cast["agent"]).post(URL, body, format="json").json()["complaint_level"] == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"category": "complaint"}, "category"),
    ({"complaint_level": 2}, "complaint_level"),
    ({"type": "nonsense"}, "type"),
    ({"title": ""}, "title"),
    ({"received_at": "future"}, "received_at"),
    ({"promised_at": "before"}, "promised_at"),
    ({"customer": 999999}, "customer"),
], ids=["category_type_mismatch_case", "level_on_repair_case", "bad_type_case", "empty_title_case",
        "future_received_case", "promised_before_received_case", "unknown_customer_case"])
def test_create_refused_names_the_field(api, cast, overrides, field):
    now = timezone.now()
    values = dict(overrides)
    if values.get("category") == "complaint":
        values["category"] = category_for("complaint").pk
    if values.get("received_at") == "future":
        values["received_at"] = (now + timedelta(hours=1)).isoformat()
    if values.get("promised_at") == "before":
        values["received_at"] = (now - timedelta(hours=1)).isoformat()
        values["promised_at"] = (now - timedelta(hours=2)).isoformat()
    response = api(cast["agent"]).post(URL, _create_body(**values), format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]
    assert WorkOrder.objects.count() == 0
    assert WorkOrderEvent.objects.count() == 0
    assert NumberSequence.objects.count() == 0


def test_create_related_order_not_visible(api, cast):
    hidden = make_work_order(actor=cast["other_steward"])
    response = api(cast["steward"]).post(URL, _create_body(related_order=hidden.pk), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["related_order"]
    assert WorkOrder.objects.count() == 1


def test_create_related_order_visible(api, cast):
    earlier = make_work_order(actor=cast["steward"])
    response = api(cast["steward"]).post(URL, _create_body(related_order=earlier.pk), format="json")
    assert response.json()["related_order"] == earlier.pk


def test_create_owner_override_by_agent_is_403(api, cast):
    response = api(cast["agent"]).post(URL, _create_body(first_contact_owner=cast["steward"].pk), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert WorkOrder.objects.count() == 0


def test_create_owner_override_by_supervisor(api, cast, org):
    response = api(cast["supervisor"]).post(URL, _create_body(first_contact_owner=cast["steward"].pk),
                                            format="json")
    assert response.status_code == 201
    assert response.json()["first_contact_owner"]["id"] == cast["steward"].pk
    assert WorkOrder.objects.get().intake_department == org["stw"]


def test_create_refused_for_vendor(api, cast):
    response = api(cast["vendor"]).post(URL, _create_body(), format="json")
    assert response.status_code == 403
    assert WorkOrder.objects.count() == 0


def test_superuser_without_staff_creates_and_acts(api, superuser, org):
    client = api(superuser)
    created = client.post(URL, _create_body(channel="api"), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["first_contact_owner"] == {"id": superuser.pk, "name": "root"}
    order = WorkOrder.objects.get(pk=body["id"])
    assert _action(client, order, "accept").json()["status"] == "accepted"
    assert _action(client, order, "dispatch", {"team": org["mep"].pk}).json()["status"] == "dispatched"
    assert [e.actor_id for e in _events(order)] == [superuser.pk] * 3


# --- actions with the bodies ------------------------------------------------------------

def test_every_action_body(api, cast, org):
    agent, tech = api(cast["agent"]), api(cast["technician"])
    order = make_work_order(actor=cast["agent"])
    assert _action(agent, order, "accept").json()["status"] == "accepted"
    r = _action(agent, order, "dispatch", {"team": org["mep"].pk, "assignee": cast["technician"].pk})
    assert (r.json()["status"], r.json()["team"], r.json()["assignee"]["id"]) == (
        "dispatched", org["mep"].pk, cast["technician"].pk)
    assert _action(tech, order, "start").json()["status"] == "in_progress"
    r = _action(tech, order, "hold", {"reason": "等配件"})
    assert (r.json()["status"], r.json()["hold_reason"]) == ("on_hold", "other")
    assert _action(tech, order, "resume").json()["status"] == "in_progress"
    r = _action(tech, order, "submit_plan", {"plan": "更换主阀", "compensation_amount": "300.00"})
    assert (r.json()["plan_status"], r.json()["plan_role"], r.json()["compensation_amount"]) == (
        "pending", "supervisor", "300.00")
    r = _action(api(cast["supervisor"]), order, "approve_plan", {"note": "同意"})
    assert r.json()["plan_status"] == "approved"
    r = _action(tech, order, "resolve", {"resolution": "已更换"})
    assert (r.json()["status"], r.json()["resolution"]) == ("resolved", "已更换")
    assert r.json()["resolved_at"] is not None
    assert _action(agent, order, "close").json()["status"] == "closed"
    r = _action(api(cast["qa"]), order, "reopen", {"reason": "回访不满意"})
    assert (r.json()["status"], r.json()["reopen_count"], r.json()["resolved_at"], r.json()["closed_at"]) == (
        "accepted", 1, None, None)
    r = _action(agent, order, "comment", {"body": "已回电", "internal": False})
    assert r.json()["version"] == 11
    r = _action(agent, order, "cancel", {"reason": "客户撤回"})
    assert (r.json()["status"], r.json()["version"]) == ("cancelled", 12)

    rows = [(e.action, e.from_status, e.to_status, e.body, e.internal) for e in _events(order)]
    assert rows == [
        ("create", "", "new", "", False),
        ("accept", "new", "accepted", "", False),
        ("dispatch", "accepted", "dispatched", "", False),
        ("start", "dispatched", "in_progress", "", False),
        ("hold", "in_progress", "on_hold", "等配件", False),
        ("resume", "on_hold", "in_progress", "", False),
        ("submit_plan", "in_progress", "in_progress", "更换主阀", False),
        ("approve_plan", "in_progress", "in_progress", "同意", False),
        ("resolve", "in_progress", "resolved", "已更换", False),
        ("close", "resolved", "closed", "", False),
        ("reopen", "closed", "accepted", "回访不满意", False),
        ("comment", "accepted", "accepted", "已回电", False),
        ("cancel", "accepted", "cancelled", "客户撤回", False),
    ]
    approval = PlanApproval.objects.get(work_order=order)
    assert (approval.decision, approval.decided_by, approval.compensation_amount, approval.note) == (
        "approved", cast["supervisor"], Decimal("300.00"), "同意")


def test_comment_is_internal_by_default(api, cast):
    order = make_work_order(actor=cast["agent"])
    _action(api(cast["agent"]), order, "comment", {"body": "内部备注"})
    assert _events(order)[-1].internal is True


def test_reject_plan_via_api(api, cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept", ("submit_plan", {"plan": "p"}))
    before = _state(order)
    r = _action(api(cast["supervisor"]), order, "reject_plan", {})
    assert r.status_code == 400
    assert (r.json()["code"], list(r.json()["fields"])) == ("required", ["note"])
    assert _state(order) == before
    r = _action(api(cast["supervisor"]), order, "reject_plan", {"note": "重做"})
    assert r.json()["plan_status"] == "rejected"
    approval = PlanApproval.objects.get(work_order=order)
    assert (approval.decision, approval.decided_by, approval.note) == ("rejected", cast["supervisor"], "重做")
    assert approval.decided_at is not None


def test_dispatch_assignee_not_in_team(api, cast, org):
    order = make_work_order(actor=cast["agent"])
    before = _state(order)
    r = _action(api(cast["agent"]), order, "dispatch", {"team": org["mep"].pk, "assignee": cast["vendor"].pk})
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["assignee"]
    assert _state(order) == before


def test_dispatch_unknown_team(api, cast, org):
    order = make_work_order(actor=cast["agent"])
    r = _action(api(cast["agent"]), order, "dispatch", {"team": org["cs"].pk})
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["team"]


def test_level2_resolve_before_approval_is_409(api, cast):
    order = advance(make_work_order(actor=cast["agent"], type="complaint", complaint_level=2), cast["agent"],
                    "accept")
    before = _state(order)
    r = _action(api(cast["agent"]), order, "resolve", {"resolution": "done"})
    assert r.status_code == 409
    assert r.json()["code"] == "plan_not_approved"
    assert _state(order) == before


def test_level2_plan_goes_to_manager(api, cast):
    order = advance(make_work_order(actor=cast["agent"], type="complaint", complaint_level=2), cast["agent"],
                    "accept")
    r = _action(api(cast["agent"]), order, "submit_plan", {"plan": "道歉"})
    assert r.json()["plan_role"] == "manager"


def test_8000_goes_to_director(api, cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    r = _action(api(cast["agent"]), order, "submit_plan", {"plan": "赔偿", "compensation_amount": 8000})
    assert (r.json()["plan_role"], r.json()["compensation_amount"]) == ("director", "8000.00")


def test_supervisor_approving_800_is_403_without_change(api, cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept",
                    ("submit_plan", {"plan": "赔偿", "compensation_amount": "800"}))
    before = _state(order)
    r = _action(api(cast["supervisor"]), order, "approve_plan", {"note": "ok"})
    assert r.status_code == 403
    assert r.json()["code"] == "authority_exceeded"
    assert _state(order) == before
    assert PlanApproval.objects.get(work_order=order).decided_by is None


def test_second_submit_while_pending_is_409(api, cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept", ("submit_plan", {"plan": "A"}))
    before = _state(order)
    r = _action(api(cast["agent"]), order, "submit_plan", {"plan": "B"})
    assert r.status_code == 409
    assert r.json()["code"] == "plan_pending"
    assert _state(order) == before
    assert PlanApproval.objects.filter(work_order=order).count() == 1


def test_invalid_state_is_409(api, cast):
    order = make_work_order(actor=cast["agent"])
    r = _action(api(cast["agent"]), order, "close")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")


def test_expected_version_mismatch_is_409(api, cast):
    order = make_work_order(actor=cast["agent"])
    before = _state(order)
    r = _action(api(cast["agent"]), order, "accept", {"version": 5})
    assert (r.status_code, r.json()["code"]) == (409, "concurrent_change")
    assert _state(order) == before
    assert _action(api(cast["agent"]), order, "accept", {"version": 1}).json()["version"] == 2


def test_unknown_action_is_404(api, cast):
    order = make_work_order(actor=cast["agent"])
    r = _action(api(cast["agent"]), order, "explode")
    assert (r.status_code, r.json()["code"]) == (404, "unknown_action")
    assert _state(order)[-1] == 1


def test_malformed_json_is_400(api, cast):
    order = make_work_order(actor=cast["agent"])
    r = api(cast["agent"]).post(f"{URL}{order.pk}/actions/comment/", data='{"body": ', content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "parse_error"
    assert set(r.json()) == {"code", "message", "fields"}
    r = api(cast["agent"]).post(URL, data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert _state(order)[-1] == 1


@pytest.mark.parametrize("path", ["abc/", "abc/events/", "abc/actions/accept/", "999999/"],
                         ids=["detail_case", "events_case", "action_case", "missing_case"])
def test_non_integer_or_missing_id_is_404(api, cast, path):
    client = api(cast["agent"])
    r = client.post(URL + path) if "actions" in path else client.get(URL + path)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_wrong_types_in_action_body_are_400(api, cast):
    order = make_work_order(actor=cast["agent"])
    r = _action(api(cast["agent"]), order, "dispatch", {"team": "mep"})
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["team"]


# --- list, filters, ordering ----------------------------------------------------------------------

@pytest.fixture
def dataset(cast, org):
    """Four orders that differ in every filterable field."""
    agent, steward = cast["agent"], cast["steward"]
    now = timezone.now()
    customer = make_customer(name="王五")
    o = {}
    o["repair"] = make_work_order(actor=agent, priority="high", customer=customer, title="卫生间漏水",
                                  received_at=now - timedelta(days=3))
    o["repair"] = advance(o["repair"], agent, ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    o["complaint"] = make_work_order(actor=steward, type="complaint", complaint_level=2, channel="walk_in",
                                     priority="urgent", title="保安态度差", received_at=now - timedelta(days=1))
    o["complaint"] = advance(o["complaint"], steward, "accept")
    mid = timezone.now()
    o["inquiry"] = make_work_order(actor=agent, type="inquiry", channel="email", priority="low", title="咨询物业费")
    o["cancelled"] = advance(make_work_order(actor=agent, title="电梯异响", received_at=now - timedelta(hours=5)),
                             agent, ("cancel", {"reason": "重复"}))
    return {"orders": o, "now": now, "mid": mid, "customer": customer}


def _filter_cases(ds, cast, org):
    o, now = ds["orders"], ds["now"]
    return {
        "status_multi": ({"status": ["new", "accepted"]}, ["complaint", "inquiry"]),
        "status_single": ({"status": "cancelled"}, ["cancelled"]),
        "type": ({"type": "complaint"}, ["complaint"]),
        "channel": ({"channel": "email"}, ["inquiry"]),
        "category": ({"category": o["inquiry"].category_id}, ["inquiry"]),
        "team": ({"team": org["mep"].pk}, ["repair"]),
        "assignee": ({"assignee": cast["technician"].pk}, ["repair"]),
        "first_contact_owner": ({"first_contact_owner": cast["steward"].pk}, ["complaint"]),
        "customer": ({"customer": ds["customer"].pk}, ["repair"]),
        "priority": ({"priority": ["urgent", "low"]}, ["complaint", "inquiry"]),
        "complaint_level": ({"complaint_level": 2}, ["complaint"]),
        "received_after": ({"received_after": (now - timedelta(days=2)).isoformat()},
                           ["complaint", "inquiry", "cancelled"]),
        "received_before": ({"received_before": (now - timedelta(hours=6)).isoformat()}, ["repair", "complaint"]),
        "received_window": ({"received_after": (now - timedelta(days=2)).isoformat(),
                             "received_before": (now - timedelta(hours=1)).isoformat()}, ["complaint", "cancelled"]),
        "created_after": ({"created_after": ds["mid"].isoformat()}, ["inquiry", "cancelled"]),
        "created_before": ({"created_before": ds["mid"].isoformat()}, ["repair", "complaint"]),
        "q_title": ({"q": "物业"}, ["inquiry"]),
        "q_number": ({"q": o["complaint"].number}, ["complaint"]),
        "q_number_prefix_lowercase": ({"q": o["repair"].number[:10].lower()},
                                      ["repair", "complaint", "inquiry", "cancelled"]),
        "combined": ({"type": "repair", "status": "dispatched"}, ["repair"]),
    }


FILTER_IDS = ["status_multi", "status_single", "type", "channel", "category", "team", "assignee",
              "first_contact_owner", "customer", "priority", "complaint_level", "received_after", "received_before",
              "received_window", "created_after", "created_before", "q_title", "q_number",
              "q_number_prefix_lowercase", "combined"]


@pytest.mark.parametrize("case", FILTER_IDS, ids=[f"{c}_case" for c in FILTER_IDS])
def test_list_filter(api, cast, org, dataset, case):
    params, expected = _filter_cases(dataset, cast, org)[case]
    response = api(cast["director"]).get(URL, params)
    assert response.status_code == 200, response.json()
    ids = {dataset["orders"][k].pk: k for k in dataset["orders"]}
    assert sorted(ids[r["id"]] for r in response.json()["results"]) == sorted(expected)
    assert response.json()["count"] == len(expected)


def test_invalid_filter_value_is_400(api, cast, dataset):
    response = api(cast["director"]).get(URL, {"status": "bogus"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["status"]


@pytest.mark.parametrize(("ordering", "expected"), [
    (None, ["inquiry", "cancelled", "complaint", "repair"]),
    ("-received_at", ["inquiry", "cancelled", "complaint", "repair"]),
    ("received_at", ["repair", "complaint", "cancelled", "inquiry"]),
    ("priority", ["inquiry", "cancelled", "repair", "complaint"]),
    ("-priority", ["complaint", "repair", "cancelled", "inquiry"]),
    ("number", ["repair", "complaint", "inquiry", "cancelled"]),
    ("status,-received_at", ["complaint", "cancelled", "repair", "inquiry"]),
], ids=["default_case", "minus_received_case", "received_case", "priority_rank_case", "minus_priority_case",
        "number_case", "status_then_received_case"])
def test_list_ordering(api, cast, dataset, ordering, expected):
    params = {"ordering": ordering} if ordering else {}
    response = api(cast["director"]).get(URL, params)
    ids = {dataset["orders"][k].pk: k for k in dataset["orders"]}
    assert [ids[r["id"]] for r in response.json()["results"]] == expected


def test_list_pagination(api, cast):
    orders = [make_work_order(actor=cast["agent"]) for _ in range(7)]
    client = api(cast["agent"])
    first = client.get(URL, {"page_size": 3, "ordering": "number"}).json()
    assert first["count"] == 7
    assert [r["number"] for r in first["results"]] == [o.number for o in orders[:3]]
    assert first["previous"] is None and "page=2" in first["next"]
    last = client.get(URL, {"page_size": 3, "page": 3, "ordering": "number"}).json()
    assert [r["number"] for r in last["results"]] == [orders[6].number]
    assert last["next"] is None
    assert client.get(URL, {"page_size": 3, "page": 9}).status_code == 404


def _rich_orders(cast, org, n):
    customer = make_customer(assets=[make_asset()])
    for i in range(n):
        order = make_work_order(actor=cast["agent"], customer=customer, asset=customer.assets.first(),
                                tags=[f"标签{i % 3}"])
        order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
        if i % 2:
            advance(order, cast["agent"], ("submit_plan", {"plan": "赔偿", "compensation_amount": "800"}))


def _list_queries(cast):
    # a fresh user object each time: the actor is cached on the instance
    user = get_user_model().objects.get(pk=cast["supervisor"].pk)
    client = APIClient()
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def test_list_query_count_does_not_grow_with_rows(cast, org, django_assert_num_queries):
    _rich_orders(cast, org, 5)
    small, count = _list_queries(cast)
    assert count == 5
    _rich_orders(cast, org, 25)
    user = get_user_model().objects.get(pk=cast["supervisor"].pk)
    client = APIClient()
    client.force_authenticate(user)
    with django_assert_num_queries(small):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == 30


def test_retrieve_has_no_n_plus_one_either(api, cast, org):
    _rich_orders(cast, org, 2)
    order = WorkOrder.objects.filter(plan_status="pending").first()
    user = get_user_model().objects.get(pk=cast["supervisor"].pk)
    client = APIClient()
    client.force_authenticate(user)
    body = client.get(f"{URL}{order.pk}/").json()
    assert (body["plan_role"], body["asset_code"], body["team_name"]) == ("manager", order.asset.code, "水电组")


# --- events ---------------------------------------------------------------------------------------

def test_events_endpoint(api, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}),
                    ("comment", {"body": "内部", "internal": True}))
    response = api(cast["agent"]).get(f"{URL}{order.pk}/events/")
    assert response.status_code == 200
    rows = response.json()
    assert [(r["action"], r["from_status"], r["to_status"], r["body"], r["internal"]) for r in rows] == [
        ("create", "", "new", "", False),
        ("dispatch", "new", "dispatched", "", False),
        ("comment", "dispatched", "dispatched", "内部", True),
    ]
    assert rows[1]["actor"] == {"id": cast["agent"].pk, "name": cast["agent"].staff.display_name}
    assert rows[1]["data"]["assignee"] == cast["technician"].pk


# --- attachments -----------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, order, name, content, content_type="image/png"):
    return client.post(f"{URL}{order.pk}/attachments/",
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)}, format="multipart")


def test_attachment_png_is_accepted(api, cast, media):
    order = make_work_order(actor=cast["agent"])
    response = _upload(api(cast["agent"]), order, "现场.png", PNG)
    assert response.status_code == 201, response.json()
    body = response.json()
    attachment = Attachment.objects.get()
    assert (body["id"], body["original_name"], body["content_type"], body["size"]) == (
        attachment.pk, "现场.png", "image/png", len(PNG))
    assert body["url"] == f"/work-orders/{order.pk}/attachments/{attachment.pk}/"
    assert attachment.file.name.endswith(".png") and "现场" not in attachment.file.name
    assert (media / attachment.file.name).read_bytes() == PNG
    event = _events(order)[-1]
    assert (event.action, event.body, event.data["attachment"]) == ("attach", "现场.png", attachment.pk)
    listing = api(cast["agent"]).get(f"{URL}{order.pk}/attachments/").json()
    assert [a["id"] for a in listing] == [attachment.pk]


def test_attachment_text_disguised_as_png_is_refused(api, cast, media):
    order = make_work_order(actor=cast["agent"])
    response = _upload(api(cast["agent"]), order, "photo.png", b"just some text, not an image")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("unsupported_file_type", ["file"])
    assert Attachment.objects.count() == 0
    assert [e.action for e in _events(order)] == ["create"]
    assert not any(media.rglob("*.*"))


def test_attachment_too_large_is_refused(api, cast, media, settings):
    settings.KEFU_ATTACHMENT_MAX_BYTES = 10
    order = make_work_order(actor=cast["agent"])
    response = _upload(api(cast["agent"]), order, "big.png", PNG)
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert Attachment.objects.count() == 0
    assert [e.action for e in _events(order)] == ["create"]


def test_attachment_missing_file_is_400(api, cast, media):
    order = make_work_order(actor=cast["agent"])
    response = api(cast["agent"]).post(f"{URL}{order.pk}/attachments/", {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]
    assert Attachment.objects.count() == 0


def test_attachment_on_cancelled_order_is_409(api, cast, media):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("cancel", {"reason": "x"}))
    response = _upload(api(cast["agent"]), order, "a.png", PNG)
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert Attachment.objects.count() == 0


def test_attachment_by_technician_not_dispatched_to_them_is_403(api, cast, org, media):
    order = advance(make_work_order(actor=cast["technician"]), cast["agent"], ("dispatch", {"team": org["vend"]}))
    response = _upload(api(cast["technician"]), order, "a.png", PNG)
    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    assert Attachment.objects.count() == 0


def test_attachment_invisible_order_is_404(api, cast, media):
    order = make_work_order(actor=cast["agent"])
    assert _upload(api(cast["other_steward"]), order, "a.png", PNG).status_code == 404
    assert Attachment.objects.count() == 0


# --- categories, schema and docs --------------------------------------------------------------------

def test_categories_endpoint(api, cast):
    rows = api(cast["agent"]).get("/api/v1/categories/", {"industry": "property"}).json()
    codes = [r["code"] for r in rows]
    assert "prop.repair.water.leak" in codes
    assert all(r["industry"] == "property" for r in rows)


def test_openapi_schema(client, cast):
    client.force_login(cast["agent"])  # the schema needs a login unless KEFU_API_DOCS_PUBLIC (issue #15)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/work-orders/{id}/actions/{action_name}/" in text
    assert "/api/v1/auth/token/" in text


def test_swagger_docs(client, cast):
    client.force_login(cast["agent"])
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
