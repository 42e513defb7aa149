"""Calls and conversations API: the contract fields, scoping, convert/append/close through the
gate (orders only through work_order_create / work_order_transition), query budgets."""

import pytest
from django.test import Client

from kefu.channels.inbound import inbound_store, message_receive
from kefu.channels.models import Call, Conversation, ConversationEvent
from kefu.channels.tests.factories import call_event, cti_post, make_account
from kefu.customers.tests.factories import make_customer
from kefu.workorders.models import Category, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(org):
    return make_account(department=org["cs"], name="400热线")


def _category():
    return next(c for c in Category.objects.filter(is_active=True) if c.allows_type("inquiry"))


def test_calls_list_contract(api, cast, line, org):
    client = Client()
    cti_post(client, line, call_event("ringing", call_id="a"))
    cti_post(client, line, call_event("answered", call_id="a", at="2026-12-07T10:00:07+08:00"))
    cti_post(client, line, call_event("missed", call_id="b", at="2026-12-07T10:05:00+08:00"))
    other = make_account(department=org["oteam"], name="其他400")
    cti_post(client, other, call_event("ringing", call_id="z"))
    body = api(cast["supervisor"]).get("/api/v1/calls/", {"account": line.pk}).json()
    rows = {r["call_id"]: r for r in body["results"]}
    assert set(rows) == {"a", "b"}
    assert {k: rows["a"][k] for k in ("caller", "status", "ring_seconds", "work_orders")} == {
        "caller": "13800138000", "status": "answered", "ring_seconds": 7, "work_orders": []}
    assert rows["b"]["status"] == "missed" and rows["b"]["ring_seconds"] is None
    assert api(cast["supervisor"]).get("/api/v1/calls/", {"account": other.pk}).json()["count"] == 0
    assert api(cast["supervisor"]).get("/api/v1/calls/", {"account": "x"}).status_code == 400


def test_convert_call_conversation_creates_the_order_and_links_the_call(api, cast, line):
    customer = make_customer(name="王芳", phones=["13800138000"])
    cti_post(Client(), line, call_event("ringing", agent="agent"))
    conversation = Conversation.objects.get()
    response = api(cast["agent"]).post(f"/api/v1/conversations/{conversation.pk}/actions/convert/", {
        "type": "inquiry", "category": _category().pk, "title": "咨询物业费", "description": "来电咨询物业费缴纳方式"},
        format="json")
    assert response.status_code == 200, response.json()
    order = WorkOrder.objects.get()
    assert (order.channel, order.customer, order.title, order.first_contact_owner) == (
        "hotline_400", customer, "咨询物业费", cast["agent"])
    assert response.json()["status"] == "converted" and response.json()["work_order"] == order.pk
    assert list(Call.objects.get().work_orders.all()) == [order]
    assert api(cast["agent"]).get("/api/v1/calls/").json()["results"][0]["work_orders"] == [order.pk]
    assert ConversationEvent.objects.filter(action="convert").count() == 1
    again = api(cast["agent"]).post(f"/api/v1/conversations/{conversation.pk}/actions/convert/",
                                    {"category": _category().pk}, format="json")
    assert again.status_code == 409 and WorkOrder.objects.count() == 1


def test_convert_without_category_writes_nothing(api, cast, line):
    cti_post(Client(), line, call_event("ringing"))
    conversation = Conversation.objects.get()
    response = api(cast["agent"]).post(f"/api/v1/conversations/{conversation.pk}/actions/convert/", {}, format="json")
    assert response.status_code == 400 and "category" in response.json()["fields"]
    assert not WorkOrder.objects.exists()
    assert Conversation.objects.get().status == "open"


def test_conversation_list_contract_and_scoping(api, cast, line, org):
    item, _ = inbound_store(account=line, provider_id="m1", kind="message")
    message_receive(item=item, account=line, address="13900000000", text="楼道灯坏了")
    body = api(cast["agent"]).get("/api/v1/conversations/", {"account": line.pk}).json()
    assert body["count"] == 1
    messages = body["results"][0]["messages"]
    assert [(m["text"], m["direction"]) for m in messages] == [("楼道灯坏了", "in")]
    assert "received_at" in messages[0]
    assert api(cast["other_steward"]).get("/api/v1/conversations/").json()["count"] == 0
    pk = body["results"][0]["id"]
    assert api(cast["other_steward"]).post(f"/api/v1/conversations/{pk}/actions/close/", {},
                                           format="json").status_code == 404


def test_append_to_an_open_order_of_the_same_customer(api, cast, line):
    customer = make_customer(name="李雷", phones=["13900139000"])
    from kefu.workorders.services import work_order_create
    order = work_order_create(actor_user=cast["agent"], type="inquiry", channel="phone", category=_category(),
                              title="旧单", description="d", customer=customer)
    stranger = make_customer(name="韩梅梅", phones=["13700137000"])
    theirs = work_order_create(actor_user=cast["agent"], type="inquiry", channel="phone", category=_category(),
                               title="别人的单", description="d", customer=stranger)
    cti_post(Client(), line, call_event("ringing", caller="13900139000"))
    conversation = Conversation.objects.get()
    url = f"/api/v1/conversations/{conversation.pk}/actions/append/"
    refused = api(cast["agent"]).post(url, {"work_order": theirs.pk}, format="json")
    assert refused.status_code == 400 and "work_order" in refused.json()["fields"]
    assert api(cast["agent"]).post(url, {"work_order": order.pk}, format="json").status_code == 200
    comment = WorkOrderEvent.objects.get(work_order=order, action="comment")
    assert comment.internal is False and "13900139000" in comment.body
    assert not WorkOrderEvent.objects.filter(work_order=theirs, action="comment").exists()


def test_message_naming_the_order_number_is_added_to_it(cast, line):
    customer = make_customer(name="李雷", phones=["13900139000"])
    from kefu.workorders.services import work_order_create
    order = work_order_create(actor_user=cast["agent"], type="inquiry", channel="phone", category=_category(),
                              title="旧单", description="d", customer=customer)
    item, _ = inbound_store(account=line, provider_id="m2", kind="message")
    message = message_receive(item=item, account=line, address="13900139000", text=f"关于{order.number}，还没修好")
    assert message.work_order == order
    assert WorkOrderEvent.objects.filter(work_order=order, action="comment", internal=False).count() == 1


def test_lists_keep_to_a_query_budget(api, cast, line, django_assert_max_num_queries):
    client = Client()
    for n in range(6):
        cti_post(client, line, call_event("ringing", call_id=f"q{n}", caller=f"1390000000{n}"))
    agent = api(cast["agent"])
    with django_assert_max_num_queries(12):
        assert agent.get("/api/v1/calls/").json()["count"] == 6
    with django_assert_max_num_queries(12):
        assert agent.get("/api/v1/conversations/").json()["count"] == 6
