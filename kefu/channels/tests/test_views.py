"""Inbound pages: the queue, a conversation converted from the page (pre-filled), the screen pop
partial, attachments behind visibility; Chinese and English."""

import pytest
from django.test import Client

from kefu.channels.inbound import inbound_store, message_receive
from kefu.channels.models import Conversation, MessageAttachment
from kefu.channels.tests.factories import call_event, cti_post, make_account
from kefu.customers.tests.factories import make_customer
from kefu.workorders.models import Category, WorkOrder

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def line(org):
    return make_account(department=org["cs"], name="400热线", config={"extensions": {"8001": "agent"}})


def test_inbox_lists_open_conversations_in_both_languages(cast, line):
    item, _ = inbound_store(account=line, provider_id="m1", kind="message")
    message_receive(item=item, account=line, address="13900000000", text="楼道灯坏了")
    zh = _client(cast["agent"]).get("/channels/")
    assert zh.status_code == 200 and "楼道灯坏了" in zh.content.decode() and "来电与消息" in zh.content.decode()
    from kefu.org.models import Staff
    Staff.objects.filter(user=cast["agent"]).update(language="en")
    en = _client(cast["agent"]).get("/channels/")
    assert "Inbound" in en.content.decode()
    assert "楼道灯坏了" not in _client(cast["other_steward"]).get("/channels/").content.decode()


def test_convert_from_the_page(cast, line):
    customer = make_customer(name="王芳", phones=["13800138000"])
    cti_post(Client(), line, call_event("ringing", agent="8001"))
    conversation = Conversation.objects.get()
    client = _client(cast["agent"])
    page = client.get(f"/channels/conversations/{conversation.pk}/").content.decode()
    assert "王芳" in page and 'value="13800138000 来电"' in page  # intake pre-filled
    category = next(c for c in Category.objects.filter(is_active=True) if c.allows_type("inquiry"))
    refused = client.post(f"/channels/conversations/{conversation.pk}/", {
        "action": "convert", "type": "inquiry", "priority": "normal", "title": "咨询", "description": "问物业费",
        "version": conversation.version})
    assert refused.status_code == 400 and not WorkOrder.objects.exists()
    response = client.post(f"/channels/conversations/{conversation.pk}/", {
        "action": "convert", "type": "inquiry", "category": category.pk, "priority": "normal", "title": "咨询",
        "description": "问物业费", "version": conversation.version})
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/work-orders/{order.pk}/"
    assert (order.customer, order.channel, order.contact_phone) == (customer, "hotline_400", "13800138000")
    stale = client.post(f"/channels/conversations/{conversation.pk}/", {"action": "close", "version": 1})
    assert stale.status_code == 409
    cti_post(Client(), line, call_event("answered", agent="8001", at="2026-12-07T10:00:05+08:00"))
    cti_post(Client(), line, call_event("ended", at="2026-12-07T10:04:00+08:00",
                                        recording_url="https://rec.example.com/c-1.mp3"))
    detail = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="order-calls"' in detail and 'href="https://rec.example.com/c-1.mp3"' in detail


def test_screen_pop_partial(cast, line):
    client = _client(cast["agent"])
    assert client.get("/channels/screen-pop/").content == b""
    make_customer(name="王芳", phones=["13800138000"])
    cti_post(Client(), line, call_event("ringing", agent="8001"))
    body = client.get("/channels/screen-pop/").content.decode()
    assert "13800138000" in body and "王芳" in body
    assert _client(cast["steward"]).get("/channels/screen-pop/").content == b""
    assert Client().get("/channels/screen-pop/").status_code == 204


def test_attachment_follows_visibility(cast, line):
    item, _ = inbound_store(account=line, provider_id="m1", kind="message")
    message = message_receive(item=item, account=line, address="13900000000", text="见图",
                              attachments=[("a.png", "image/png", b"\x89PNG\r\n\x1a\n")])
    attachment = MessageAttachment.objects.get(message=message)
    assert _client(cast["agent"]).get(f"/channels/attachments/{attachment.pk}/").status_code == 200
    assert _client(cast["other_steward"]).get(f"/channels/attachments/{attachment.pk}/").status_code == 404


def test_inbox_pages_with_the_one_pager_keeping_the_tab(cast, line):
    for n in range(26):
        item, _ = inbound_store(account=line, provider_id=f"p{n}", kind="message")
        message_receive(item=item, account=line, address=f"1390000{n:04d}", text=f"留言{n}")
    client = _client(cast["agent"])
    first = client.get("/channels/?status=open").content.decode()
    assert first.count("data-conversation=") == 25
    assert 'href="?status=open&amp;page=2"' in first and "第 1 页，共 2 页" in first
    second = client.get("/channels/?status=open&page=2").content.decode()
    assert second.count("data-conversation=") == 1
    assert "第 2 页，共 2 页" in second and 'href="?status=open&amp;page=1"' in second
