"""Progress notices to customers: queued by the work-order hook, sent through the configured
provider (a local Alibaba Cloud server here), suppressed by opt-outs and switched-off kinds, held
in quiet hours, updated by delivery receipts, and listed per order by the API."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from kefu.customers.tests.factories import make_customer
from kefu.notifications.models import CustomerMessageOptOut, MessageTemplate, OutboundMessage
from kefu.notifications.services import outbox_deliver
from kefu.notifications.tests.provider_servers import AliyunServer
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")
TEMPLATES = {"acknowledgement": "SMS_ACK", "dispatched": "SMS_DISP", "on_the_way": "SMS_WAY",
             "completed": "SMS_DONE", "reopened": "SMS_REOPEN", "rating_invitation": "SMS_RATE"}


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def sms_server(settings):
    server = AliyunServer(keys={"LTAI5tKefu": "s3cret"}, sign_names={"金桂物业"}, templates={
        "SMS_ACK": ("number", "title", "phone"), "SMS_DISP": ("number", "team", "technician", "promised"),
        "SMS_WAY": ("number", "technician"), "SMS_RATE": ("number", "title", "days", "url")}).start()
    settings.KEFU_OUTBOUND_ACCOUNTS = {"sms": {
        "provider": "aliyun", "access_key_id": "LTAI5tKefu", "access_key_secret": "s3cret", "sign_name": "金桂物业",
        "endpoint": server.url + "/", "templates": TEMPLATES}}
    settings.KEFU_RECEIPT_TOKEN = "r3ceipt-t0ken"
    yield server
    server.stop()


def _order(cast, **customer):
    customer = make_customer(name="李四", phones=["13800138000"], **customer)
    return make_work_order(actor=cast["agent"], type="repair", customer=customer, contact_phone="138 0013 8000")


def test_an_order_taken_gets_a_logged_acknowledgement_by_sms(cast, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    [message] = OutboundMessage.objects.filter(work_order=order)
    assert (message.kind, message.channel, message.to_address, message.state) == (
        "acknowledgement", "sms", "13800138000", "logged")
    assert message.body == f"您的诉求“卫生间漏水”已登记，工单号 {order.number}。如需查询进度，请致电 400-800-8888 并提供此工单号。"
    response = api(cast["qa"]).get(f"/api/v1/work-orders/{order.pk}/messages/")
    assert response.status_code == 200
    [row] = response.json()
    # QA may see the order but not personal data: the number is masked
    assert {k: row[k] for k in ("kind", "channel", "to", "status", "reason", "text")} == {
        "kind": "acknowledgement", "channel": "sms", "to": "138****8000", "status": "logged", "reason": "",
        "text": message.body}
    [row] = api(cast["agent"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()
    assert row["to"] == "13800138000"


def test_the_messages_of_an_order_the_reader_cannot_see_are_404(cast, api, django_assert_max_num_queries):
    order = _order(cast)
    assert api(cast["other_steward"]).get(f"/api/v1/work-orders/{order.pk}/messages/").status_code == 404
    assert api().get(f"/api/v1/work-orders/{order.pk}/messages/").status_code in (401, 403)
    client = api(cast["agent"])
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/work-orders/{order.pk}/messages/").status_code == 200


def test_progress_notices_go_to_the_provider_with_template_parameters(cast, org, sms_server,
                                                                      django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            order = _order(cast)
        with django_capture_on_commit_callbacks(execute=True):
            order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
        with django_capture_on_commit_callbacks(execute=True):
            advance(order, cast["technician"], "start")
    assert [(s["TemplateCode"], s["PhoneNumbers"]) for s in sms_server.sent] == [
        ("SMS_ACK", "13800138000"), ("SMS_DISP", "13800138000"), ("SMS_WAY", "13800138000")]
    assert sms_server.sent[0]["TemplateParam"] == {"number": order.number, "title": "卫生间漏水", "phone": "400-800-8888"}
    assert sms_server.sent[2]["TemplateParam"]["number"] == order.number
    rows = list(OutboundMessage.objects.filter(work_order=order).order_by("id"))
    assert [(m.kind, m.state, m.provider, m.provider_id, m.parts) for m in rows] == [
        ("acknowledgement", "sent", "aliyun", sms_server.sent[0]["BizId"], rows[0].parts),
        ("dispatched", "sent", "aliyun", sms_server.sent[1]["BizId"], rows[1].parts),
        ("on_the_way", "sent", "aliyun", sms_server.sent[2]["BizId"], rows[2].parts)]
    assert rows[0].parts == 2  # 【金桂物业】 + a 70-odd character Chinese text: two parts


def test_receipts_mark_messages_delivered_or_failed(cast, api, sms_server, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    [message] = OutboundMessage.objects.filter(work_order=order)
    biz_id = message.provider_id
    report = [{"phone_number": "13800138000", "send_time": "2026-12-07 10:00:00", "report_time": "2026-12-07 10:00:04",
               "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "2", "biz_id": biz_id,
               "out_id": str(message.pk)}]
    client = Client()
    # a wrong token is a 404 and changes nothing
    response = client.post("/notifications/receipts/aliyun/wrong/", json.dumps(report), content_type="application/json")
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.state == "sent"
    response = client.post("/notifications/receipts/aliyun/r3ceipt-t0ken/", json.dumps(report),
                           content_type="application/json")
    assert (response.status_code, response.json()) == (200, {"code": 0, "msg": "成功"})
    message.refresh_from_db()
    assert (message.state, message.delivered_at) == ("delivered", at(2026, 12, 7, 10, 0, 4))
    [row] = api(cast["agent"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()
    assert row["status"] == "delivered"
    # a repeated push changes nothing; a failure report for another message records the reason
    client.post("/notifications/receipts/aliyun/r3ceipt-t0ken/", json.dumps(report), content_type="application/json")
    message.refresh_from_db()
    assert message.state == "delivered"


def test_quiet_hours_hold_sms_until_the_morning(cast, sms_server, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 23, 30), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    message = OutboundMessage.objects.get(work_order=order)
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 0, at(2026, 12, 8, 8))
    assert message.reason == "Held for quiet hours"
    assert sms_server.sent == []
    assert outbox_deliver(now=at(2026, 12, 8, 7, 59))["sent"] == 0
    assert outbox_deliver(now=at(2026, 12, 8, 8)) == {"sent": 1, "logged": 0, "retry": 0, "failed": 0}
    message.refresh_from_db()
    assert (message.state, message.attempts, message.reason) == ("sent", 1, "")
    assert len(sms_server.sent) == 1


def test_opt_out_and_switched_off_kinds_are_recorded_not_sent(cast, org, api, sms_server,
                                                              django_capture_on_commit_callbacks):
    MessageTemplate.objects.create(kind="on_the_way", language="zh-hans", text="{number}", is_active=False)
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
        CustomerMessageOptOut.objects.create(customer=order.customer, kind="dispatched", created_at=at(2026, 12, 7, 10))
        order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
        advance(order, cast["technician"], "start")
    rows = {m["kind"]: m for m in api(cast["agent"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()}
    assert (rows["dispatched"]["status"], rows["dispatched"]["reason"]) == ("suppressed", "客户已退订此类消息。")
    assert (rows["on_the_way"]["status"], rows["on_the_way"]["reason"]) == ("suppressed", "此类消息已关闭。")
    assert [s["TemplateCode"] for s in sms_server.sent] == ["SMS_ACK"]


def test_a_kind_without_a_provider_template_fails_at_once(cast, org, sms_server, settings,
                                                          django_capture_on_commit_callbacks):
    settings.KEFU_OUTBOUND_ACCOUNTS["sms"]["templates"] = {}
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    message = OutboundMessage.objects.get(work_order=order)
    assert (message.state, message.attempts) == ("failed", 1)
    assert message.reason.startswith("no_template: ")
    assert sms_server.sent == []


def test_a_rate_limited_number_is_retried_later(cast, sms_server, django_capture_on_commit_callbacks):
    sms_server.limited.add("13800138000")
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    message = OutboundMessage.objects.get(work_order=order)
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 1, at(2026, 12, 7, 10, 1))
    assert message.last_error.startswith("isv.BUSINESS_LIMIT_CONTROL")
    sms_server.limited.clear()
    assert outbox_deliver(now=at(2026, 12, 7, 10, 1))["sent"] == 1
    assert len(sms_server.sent) == 1


def test_the_rating_invitation_is_listed_with_the_order_and_keeps_no_link(cast, api, sms_server,
                                                                          django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    with time_machine.travel(at(2026, 12, 7, 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], "accept", ("resolve", {"resolution": "已修好"}))
    kinds = [row["kind"] for row in api(cast["agent"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()]
    # the rating invitation says the order is resolved: no separate "completed" message
    assert kinds == ["acknowledgement", "rating_invitation"]
    rating = OutboundMessage.objects.get(work_order=order, kind="rating_invitation")
    assert rating.state == "sent"
    assert "/callbacks/rate/" in sms_server.sent[1]["TemplateParam"]["url"]
    assert "/callbacks/rate/" not in rating.body and rating.params == {}


# --- accounts from kefu.channels (secrets encrypted at rest) ------------------------------------------

def test_a_tencent_channel_account_sends_and_its_callback_delivers(cast, org, api, settings,
                                                                  django_capture_on_commit_callbacks):
    from kefu.channels.models import ChannelAccount
    from kefu.notifications.tests.provider_servers import TencentServer

    server = TencentServer(secrets={"AKIDkefu": "tsecret"}, app_id="1400006666", sign_names={"金桂物业"},
                           templates={"2001": 3}).start()
    try:
        account = ChannelAccount(kind="sms", provider="tencent", name="腾讯云短信", department=org["cs"], config={
            "secret_id": "AKIDkefu", "sdk_app_id": "1400006666", "sign_name": "金桂物业",
            "endpoint": server.url + "/", "host": "sms.tencentcloudapi.com", "templates": {"acknowledgement": "2001"}})
        account.set_secret("secret", "tsecret")
        account.save()
        settings.KEFU_RECEIPT_TOKEN = "r3ceipt-t0ken"
        with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
            order = _order(cast)
        [sent] = server.sent
        assert (sent["PhoneNumber"], sent["TemplateId"], sent["TemplateParamSet"]) == (
            "+8613800138000", "2001", [order.number, "卫生间漏水", "400-800-8888"])
        message = OutboundMessage.objects.get(work_order=order)
        assert (message.state, message.provider, message.provider_id) == ("sent", "tencent", sent["SerialNo"])
        response = Client().post("/notifications/receipts/tencent/r3ceipt-t0ken/", json.dumps([{
            "user_receive_time": "2026-12-07 10:00:09", "nationcode": "86", "mobile": "13800138000",
            "report_status": "FAIL", "errmsg": "MK:0005", "description": "空号", "sid": sent["SerialNo"]}]),
            content_type="application/json")
        assert (response.status_code, response.json()) == (200, {"result": 0, "errmsg": "OK"})
        [row] = api(cast["agent"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()
        assert (row["status"], row["reason"]) == ("failed", "MK:0005 空号")
    finally:
        server.stop()


def test_a_follower_of_the_official_account_hears_by_wechat(cast, org, api, settings,
                                                            django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from kefu.channels.models import ChannelAccount, ChannelIdentity
    from kefu.notifications.tests.provider_servers import WeChatServer

    cache.clear()
    server = WeChatServer(app_id="wx123", secret="appsecret", followers={"oFOLLOWER0001"},
                          templates={"TPL_ACK"}).start()
    try:
        account = ChannelAccount(kind="wechat_mp", name="金桂物业服务号", department=org["cs"], config={
            "app_id": "wx123", "token": "tok", "endpoint": server.url, "templates": {"acknowledgement": "TPL_ACK"}})
        account.set_secret("secret", "appsecret")
        account.save()
        customer = make_customer(name="王五", phones=["13900139000"])
        ChannelIdentity.objects.create(account=account, address="oFOLLOWER0001", customer=customer,
                                       bound_at=at(2026, 12, 1, 9))
        with time_machine.travel(at(2026, 12, 7, 23), tick=False), django_capture_on_commit_callbacks(execute=True):
            order = make_work_order(actor=cast["agent"], type="repair", customer=customer)
        # WeChat has no quiet hours of ours: it is sent at once
        [sent] = server.sent
        assert (sent["touser"], sent["template_id"]) == ("oFOLLOWER0001", "TPL_ACK")
        assert sent["data"] == {"number": {"value": order.number}, "title": {"value": "卫生间漏水"},
                                "phone": {"value": "400-800-8888"}}
        [row] = api(cast["qa"]).get(f"/api/v1/work-orders/{order.pk}/messages/").json()
        assert (row["channel"], row["to"], row["status"]) == ("wechat", "oFO***001", "sent")
    finally:
        server.stop()


def test_a_message_the_provider_took_before_the_worker_died_is_not_sent_again(cast, sms_server,
                                                                              django_capture_on_commit_callbacks):
    from datetime import timedelta

    from kefu.notifications.channels import adapter_for
    from kefu.notifications.services import LEASE

    sms_server.limited.add("13800138000")  # the first attempt fails: the row stays pending
    with time_machine.travel(at(2026, 12, 7, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        order = _order(cast)
    sms_server.limited.clear()
    message = OutboundMessage.objects.get(work_order=order)
    # a worker claims the row, the provider takes the message, and the worker is killed before its UPDATE
    claim_at = at(2026, 12, 7, 10, 1)
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=2, next_attempt_at=claim_at + LEASE, last_error="")
    with time_machine.travel(claim_at, tick=False):
        adapter_for("sms").send(to=message.to_address, body=message.body, kind=message.kind, params=message.params,
                                out_id=str(message.pk))
    assert len(sms_server.sent) == 1
    # when the lease runs out, the next worker asks the provider first and records it as sent
    with time_machine.travel(claim_at + LEASE + timedelta(seconds=1), tick=False):
        assert outbox_deliver()["sent"] == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 3)
    assert len(sms_server.sent) == 1


def test_a_slow_batch_gives_back_what_it_has_not_tried_before_its_lease_runs_out(cast, monkeypatch):
    import itertools

    from kefu.notifications import services
    from kefu.notifications.services import outbox_enqueue

    for n in range(3):
        outbox_enqueue(channel="sms", to_address=f"1380000000{n}", subject="s", body="b")
    # the clock jumps past half the lease after the first message
    ticks = itertools.chain([0.0, 0.0], itertools.repeat(services.LEASE.total_seconds()))
    monkeypatch.setattr(services.time, "monotonic", lambda: next(ticks))
    assert outbox_deliver()["logged"] == 1
    assert list(OutboundMessage.objects.order_by("id").values_list("state", "attempts")) == [
        ("logged", 1), ("pending", 0), ("pending", 0)]


def test_a_template_with_an_unknown_variable_is_refused_in_the_admin(superuser, client):
    client.force_login(superuser)
    response = client.post("/admin/notifications/messagetemplate/add/", {
        "kind": "acknowledgement", "language": "zh-hans", "text": "工单 {number} 由 {secret} 处理", "is_active": "on"})
    assert response.status_code == 200
    assert "{secret}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    response = client.post("/admin/notifications/messagetemplate/add/", {
        "kind": "acknowledgement", "language": "zh-hans", "text": "工单 {number} 已受理", "is_active": "on"})
    assert response.status_code == 302
    assert MessageTemplate.objects.get().text == "工单 {number} 已受理"
    listing = client.get("/admin/notifications/messagetemplate/").content.decode()
    assert "工单 &lt;number&gt; 已受理" in listing
