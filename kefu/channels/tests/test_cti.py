"""The CTI webhook: signatures (valid, wrong, missing, replayed), idempotent redelivery, events out
of order, missed call → callback task, bad input; nothing stored on refusal."""

import time

import pytest
from django.test import Client

from kefu.callbacks.models import Callback
from kefu.channels.models import Call, Conversation, InboundItem
from kefu.channels.tests.factories import call_event, cti_post, make_account
from kefu.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(org):
    return make_account(department=org["cs"], name="400热线", config={"extensions": {"8001": "agent"}})


def _nothing_stored():
    assert not InboundItem.objects.exists() and not Call.objects.exists() and not Conversation.objects.exists()


def test_signed_ringing_event_creates_the_call_matched_to_customer_and_agent(line, cast):
    customer = make_customer(name="王芳", phones=["138 0013 8000"])
    response = cti_post(Client(), line, call_event("ringing", agent="8001"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "stored"
    call = Call.objects.get()
    assert (call.call_id, call.caller, call.status, call.agent_user, call.customer) == (
        "c-1", "13800138000", "ringing", cast["agent"], customer)
    assert call.conversation.customer == customer
    assert InboundItem.objects.get().provider_id == "c-1:ringing"


@pytest.mark.parametrize("how", ["missing", "wrong", "stale", "future", "other_secret"])
def test_bad_signatures_are_401_and_store_nothing(line, how):
    client, event = Client(), call_event("ringing")
    if how == "missing":
        response = client.post(f"/channels/cti/{line.pk}/events/", data=event, content_type="application/json")
    elif how == "wrong":
        response = cti_post(client, line, event, signature="sha256=" + "0" * 64)
    elif how == "stale":
        response = cti_post(client, line, event, timestamp=int(time.time()) - 301)
    elif how == "future":
        response = cti_post(client, line, event, timestamp=int(time.time()) + 360)
    else:
        response = cti_post(client, line, event, secret="not-the-key")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    _nothing_stored()


def test_signature_covers_the_timestamp(line):
    """A captured request replayed with a fresh timestamp fails: the old signature does not match."""
    old = int(time.time()) - 400
    import json

    from kefu.channels.cti import sign
    body = json.dumps(call_event("ringing")).encode()
    response = cti_post(Client(), line, None, raw=body, signature=sign("cti-hmac-key-0123456789", str(old), body))
    assert response.status_code == 401
    _nothing_stored()


def test_redelivery_changes_nothing(line):
    client = Client()
    assert cti_post(client, line, call_event("ringing")).json()["status"] == "stored"
    again = cti_post(client, line, call_event("ringing", at="2026-12-07T10:00:09+08:00"))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    call = Call.objects.get()
    assert call.ringing_at.isoformat() == "2026-12-07T02:00:00+00:00"
    assert InboundItem.objects.count() == 1


def test_events_out_of_order_end_in_the_right_state(line):
    client = Client()
    cti_post(client, line, call_event("ended", at="2026-12-07T10:03:00+08:00", recording_url="https://rec.example/1.mp3"))
    assert Call.objects.get().status == "missed"  # for now: ended, never answered
    assert Callback.objects.get().status == "open"
    cti_post(client, line, call_event("answered", at="2026-12-07T10:00:12+08:00", agent="agent"))
    cti_post(client, line, call_event("ringing", at="2026-12-07T10:00:00+08:00"))
    call = Call.objects.get()
    assert (call.status, call.ring_seconds, call.recording_url) == ("ended", 12, "https://rec.example/1.mp3")
    assert Callback.objects.get().status == "cancelled"  # the late answer took the callback back
    assert InboundItem.objects.count() == 3 and Conversation.objects.count() == 1


def test_missed_call_creates_one_callback_task(line, org):
    customer = make_customer(name="李雷", phones=["13900139000"])
    client = Client()
    cti_post(client, line, call_event("ringing", caller="13900139000"))
    cti_post(client, line, call_event("missed", caller="13900139000", at="2026-12-07T10:00:25+08:00"))
    cti_post(client, line, call_event("ended", caller="13900139000", at="2026-12-07T10:00:26+08:00"))
    call = Call.objects.get()
    assert (call.status, call.ring_seconds) == ("missed", 25)
    callback = Callback.objects.get()
    assert (callback.customer, callback.team, callback.status, callback.reference) == (
        customer, org["cs"], "open", f"call:{line.pk}:c-1")
    assert call.callback == callback


def test_missed_call_from_unknown_number_still_gets_a_callback(line):
    cti_post(Client(), line, call_event("missed", caller="02188886666"))
    callback = Callback.objects.get()
    assert callback.customer is None and "02188886666" in callback.reason


@pytest.mark.parametrize(("raw", "field"), [
    (b"{not json", "body"),
    (b"[1, 2]", "body"),
    (b'{"event": "transferred", "call_id": "c", "caller": "1", "at": "2026-12-07T10:00:00"}', "event"),
    (b'{"event": "ringing", "caller": "1", "at": "2026-12-07T10:00:00"}', "call_id"),
    (b'{"event": "ringing", "call_id": "c", "caller": "1", "at": "yesterday"}', "at"),
    (b'{"event": "ended", "call_id": "c", "caller": "1", "at": "2026-12-07T10:00:00", "recording_url": "ftp://x"}',
     "recording_url"),
])
def test_malformed_events_are_400_naming_the_field(line, raw, field):
    response = cti_post(Client(), line, None, raw=raw)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    _nothing_stored()


def test_oversized_body_unknown_account_and_paused_account(line, org):
    client = Client()
    big = cti_post(client, line, None, raw=b'{"pad": "' + b"x" * 20000 + b'"}')
    assert big.status_code == 413
    unknown = client.post("/channels/cti/99999/events/", data={}, content_type="application/json")
    assert unknown.status_code == 404
    wechat = make_account(department=org["cs"], kind="wechat_mp", config={"app_id": "wx", "token": "t"})
    assert cti_post(client, wechat, call_event("ringing")).status_code == 404
    line.is_paused = True
    line.save()
    paused = cti_post(client, line, call_event("ringing"))
    assert paused.status_code == 409 and paused.json()["code"] == "paused"
    _nothing_stored()
