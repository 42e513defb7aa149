"""The outbox: email through a real local SMTP server, retries, log-only channels, preferences."""

import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller

from kefu.notifications.models import NotificationPreference, OutboundMessage
from kefu.notifications.services import notification_preference_update, outbox_deliver
from kefu.sla.services import sla_sweep
from kefu.workorders.tests.factories import advance, make_work_order

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def overdue_repair(cast, org, django_capture_on_commit_callbacks):
    cast["supervisor"].email = "supervisor@example.com"
    cast["supervisor"].save()
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        order = make_work_order(actor=cast["agent"], type="repair", priority="normal")
        order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
        return advance(order, cast["technician"], "start")


def test_escalation_email_reaches_a_real_smtp_server(smtp, overdue_repair, django_capture_on_commit_callbacks):
    # when the resolution clock breaches and the sweeper escalates to the supervisor
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    # then one email was queued for the supervisor and delivered over SMTP
    [message] = OutboundMessage.objects.filter(channel="email")
    assert (message.to_address, message.state, message.attempts) == ("supervisor@example.com", "sent", 1)
    [(recipients, content)] = smtp.messages
    assert recipients == ["supervisor@example.com"]
    assert overdue_repair.number in content


def test_a_failed_send_is_retried_until_delivered(settings, overdue_repair, django_capture_on_commit_callbacks):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    # given the mail server is down when the escalation is sent
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    message = OutboundMessage.objects.get(channel="email")
    assert (message.state, message.attempts) == ("pending", 1)
    assert "ConnectionRefused" in message.last_error
    # nothing is due again before the backoff (1 minute after the failed attempt)
    assert outbox_deliver(now=message.next_attempt_at - timedelta(seconds=1))["sent"] == 0
    # when the server is back, the next attempt delivers it
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert outbox_deliver(now=message.next_attempt_at) == {"sent": 1, "logged": 0, "retry": 0, "failed": 0}
    finally:
        controller.stop()
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)
    assert len(inbox.messages) == 1


def test_gives_up_after_the_last_attempt(settings, overdue_repair, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    message = OutboundMessage.objects.get(channel="email")
    for _ in range(10):
        message.refresh_from_db()
        if message.state != "pending":
            break
        outbox_deliver(now=message.next_attempt_at)
    assert (message.state, message.attempts) == ("failed", 6)


def test_sms_and_wechat_are_logged_not_sent(cast, overdue_repair, django_capture_on_commit_callbacks):
    staff = cast["supervisor"].staff
    staff.phone = "13900000001"
    staff.save()
    notification_preference_update(user=cast["supervisor"], email_enabled=False, email_actions=["escalate"],
                                   sms_enabled=True, wechat_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    rows = {m.channel: m for m in OutboundMessage.objects.filter(notification__recipient=cast["supervisor"])}
    assert set(rows) == {"sms", "wechat"}
    assert {m.state for m in rows.values()} == {"logged"}
    assert rows["sms"].to_address == "13900000001"


def test_preferences_switch_email_off(cast, overdue_repair, django_capture_on_commit_callbacks):
    notification_preference_update(user=cast["supervisor"], email_enabled=False, email_actions=["escalate"],
                                   sms_enabled=False, wechat_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    assert not OutboundMessage.objects.exists()


def test_preferences_reject_unknown_events(cast):
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as excinfo:
        notification_preference_update(user=cast["agent"], email_enabled=True, email_actions=["explode"],
                                       sms_enabled=False, wechat_enabled=False)
    assert "email_actions" in excinfo.value.fields
    assert not NotificationPreference.objects.exists()


def test_email_is_written_in_the_recipients_language(cast, smtp, overdue_repair, django_capture_on_commit_callbacks):
    staff = cast["supervisor"].staff
    staff.language = "en"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 11, 25, 10))
    message = OutboundMessage.objects.get(channel="email")
    assert "deadline was missed" in message.subject


@pytest.mark.django_db
def test_messages_to_people_outside_the_app_go_through_the_same_outbox(smtp, django_capture_on_commit_callbacks):
    from kefu.notifications.services import outbox_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        mail = outbox_enqueue(channel="email", to_address=" owner@example.com ", subject="请为本次服务评价",
                              body="https://kefu.example/r/abc")
        sms = outbox_enqueue(channel="sms", to_address="13800138000", subject="评价", body="https://kefu.example/r/abc")
    mail.refresh_from_db()
    sms.refresh_from_db()
    assert (mail.notification_id, mail.to_address, mail.state) == (None, "owner@example.com", "sent")
    assert sms.state == "logged"  # the SMS adapter only logs: nothing pretends to have been sent
    [(recipients, content)] = smtp.messages
    assert recipients == ["owner@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "to", "field"), [("fax", "1", "channel"), ("email", "  ", "to_address")])
def test_outbox_enqueue_rejects_bad_input_and_writes_nothing(channel, to, field):
    from kefu.core.errors import InvalidInput
    from kefu.notifications.services import outbox_enqueue

    with pytest.raises(InvalidInput) as error:
        outbox_enqueue(channel=channel, to_address=to, subject="s", body="b")
    assert list(error.value.fields) == [field]
    assert OutboundMessage.objects.count() == 0


def test_a_hung_mail_server_fails_the_send_within_the_timeout_not_the_lease(settings, overdue_repair,
                                                                           django_capture_on_commit_callbacks):
    from kefu.notifications.services import LEASE

    assert 0 < settings.EMAIL_TIMEOUT < LEASE.total_seconds()  # the shipped default keeps the invariant
    # a server that accepts the connection and never greets
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hung.getsockname()[1], 1
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sla_sweep(now=at(2026, 11, 25, 10))
    finally:
        hung.close()
    message = OutboundMessage.objects.get(channel="email")
    assert (message.state, message.attempts) == ("pending", 1)  # failed in time, to be retried
    assert "timed out" in message.last_error
