"""The outbox keeps no customer's link once a message is final: a rating or survey link stays in the
row while it may still be sent (the adapter gets it), and is replaced by a placeholder in the same
UPDATE that records sent, logged or failed. Messages without a redacted text are kept as they are;
the data migration removes the links from rows written before."""

import importlib
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone, translation

from kefu.callbacks.models import RatingLink
from kefu.callbacks.selectors import rating_link_for_token
from kefu.callbacks.services import rating_url
from kefu.callbacks.tests.factories import resolve
from kefu.customers.tests.factories import make_customer
from kefu.notifications import services
from kefu.notifications.channels import DeliveryError
from kefu.notifications.models import OutboundMessage
from kefu.notifications.services import MAX_ATTEMPTS, outbox_deliver, outbox_enqueue
from kefu.notifications.tests.test_outbox import smtp  # noqa: F401 (fixture)
from kefu.surveys import services as survey_services
from kefu.surveys import tokens
from kefu.surveys.services import public_url
from kefu.surveys.tests.factories import make_campaign
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
ZH, EN = "[链接已隐去]", "[link removed]"
migration = importlib.import_module("kefu.notifications.migrations.0006_redact_links_in_final_messages")


class Recorder:
    """A channel adapter that keeps what it was given, and fails when asked to."""

    def __init__(self, *, delivers: bool = False, fail: bool = False):
        self.delivers, self.fail = delivers, fail
        self.sent: list = []

    def send(self, *, to: str, subject: str, body: str, **_context) -> None:
        self.sent.append((to, body))
        if self.fail:
            raise DeliveryError("gateway down")


@pytest.fixture
def recorder(monkeypatch):
    adapter = Recorder()
    monkeypatch.setattr(services, "adapter_for", lambda channel: adapter)
    return adapter


def pieces(secret: str, n: int = 6) -> set[str]:
    """Every run of `n` characters of a secret: none of them may remain in a final row."""
    return {secret[i:i + n] for i in range(len(secret) - n + 1)}


def assert_no_trace(text: str, secret: str) -> None:
    assert not [piece for piece in pieces(secret) if piece in text]


def _rating_message(cast, **customer):
    order = resolve(make_work_order(actor=cast["agent"], type="repair", customer=make_customer(
        name="李四", phones=["13800138000"], **customer)), cast["agent"])
    message = OutboundMessage.objects.get(notification=None)
    token = re.search(r"/callbacks/rate/([A-Za-z0-9_-]+)/", message.body).group(1)
    assert rating_link_for_token(token=token) == ("valid", RatingLink.objects.get(work_order=order))
    return order, message, token


# --- rating links ----------------------------------------------------------------------------------

def test_a_rating_link_is_sent_in_full_and_then_removed_from_the_row(cast, smtp, django_assert_num_queries):  # noqa: F811
    order, message, token = _rating_message(cast, email="owner@example.com")
    url = rating_url(token)
    # while pending the row holds the link, and the text to keep once sent has a placeholder instead
    expected = (f"您的请求“{order.title}”（{order.number}）已处理完毕，请为我们的服务评分（7 天内有效）：")
    assert (message.channel, message.state, message.body) == ("email", "pending", expected + url)
    assert message.redacted_body == expected + ZH
    # when the worker sends it: the claim and the outcome, no statement more for the redaction
    with django_assert_num_queries(3):
        assert outbox_deliver() == {"sent": 1, "logged": 0, "retry": 0, "failed": 0}
    # then the customer got the working link by email
    [(recipients, content)] = smtp.messages
    assert recipients == ["owner@example.com"] and url in content
    # and the row keeps the text without it
    message.refresh_from_db()
    assert (message.state, message.body, message.redacted_body) == ("sent", expected + ZH, expected + ZH)
    assert_no_trace(message.body, token)
    assert rating_link_for_token(token=token)[0] == "valid"  # removing it from the outbox leaves the link usable


def test_a_rating_link_that_never_goes_through_ends_failed_and_redacted(cast, recorder):
    recorder.fail = True
    _order, message, token = _rating_message(cast)
    url = rating_url(token)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = outbox_deliver(now=message.next_attempt_at)
        message.refresh_from_db()
        if attempt < MAX_ATTEMPTS:
            # a row waiting for its next attempt still holds the link: it has yet to be sent
            assert counts["retry"] == 1 and (message.state, message.attempts) == ("pending", attempt)
            assert url in message.body
    assert counts == {"sent": 0, "logged": 0, "retry": 0, "failed": 1}
    assert (message.state, message.attempts, message.last_error) == ("failed", MAX_ATTEMPTS, "gateway down")
    # every attempt gave the gateway the full link; the failed row keeps none of it
    assert [body for _to, body in recorder.sent] == [message.redacted_body.replace(ZH, url)] * MAX_ATTEMPTS
    assert message.body == message.redacted_body and message.body.endswith("内有效）：" + ZH)
    assert_no_trace(message.body, token)


# --- survey links ----------------------------------------------------------------------------------

OPEN = {"starts_on": date(2026, 1, 1), "ends_on": date(2099, 12, 31)}


def test_a_survey_invitation_is_logged_with_its_link_and_kept_without_it(cast, recorder):
    campaign = make_campaign(actor=cast["supervisor"], name="年度调查", units=2, **OPEN)
    invitation = campaign.invitations.select_related("customer").order_by("id").first()
    selector, verifier = tokens.split(invitation.token)
    url = public_url("surveys:respond", invitation.token)
    message = OutboundMessage.objects.get(to_address=invitation.customer.phones.get().number)
    assert message.body == f"诚邀您评价我们的服务：{url}（截至 2099-12-31）。"
    assert message.redacted_body == f"诚邀您评价我们的服务：{ZH}（截至 2099-12-31）。"

    counts = outbox_deliver()

    assert counts == {"sent": 0, "logged": 2, "retry": 0, "failed": 0}
    assert (message.to_address, f"诚邀您评价我们的服务：{url}（截至 2099-12-31）。") in recorder.sent
    message.refresh_from_db()
    assert (message.state, message.body) == ("logged", f"诚邀您评价我们的服务：{ZH}（截至 2099-12-31）。")
    assert_no_trace(message.body, selector + verifier)
    assert_no_trace(message.body, verifier)
    assert selector not in message.body


def test_survey_texts_keep_a_placeholder_in_their_own_language_and_reminders_too(cast, recorder):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=SH), tick=False), translation.override("en"):
        campaign = make_campaign(actor=cast["supervisor"], name="Annual survey", units=1)
    invitation = campaign.invitations.get()
    url = public_url("surveys:respond", invitation.token)
    with time_machine.travel(datetime(2026, 11, 5, 10, 0, tzinfo=SH), tick=False):
        assert survey_services.reminders_send() == 1
        assert outbox_deliver() == {"sent": 0, "logged": 2, "retry": 0, "failed": 0}
    invitation_text, reminder_text = OutboundMessage.objects.order_by("id").values_list("body", flat=True)
    assert invitation_text == f"Please tell us how satisfied you are with our service: {EN} (open until 2026-11-30)."
    assert reminder_text == f"我们尚未收到您对“Annual survey”的意见，填写只需三分钟：{ZH}（截至 2026-11-30）。"
    assert [body for _to, body in recorder.sent] == [invitation_text.replace(EN, url), reminder_text.replace(ZH, url)]


# --- the outbox itself -----------------------------------------------------------------------------

def test_a_message_without_a_redacted_text_is_kept_as_it_is(recorder):
    body = "The report “Weekly” is ready: https://kefu.example/reports/generated/5/"
    outbox_enqueue(channel="email", to_address="boss@example.com", subject="Weekly", body=body)
    outbox_deliver()
    recorder.fail = True
    failing = outbox_enqueue(channel="email", to_address="boss@example.com", subject="Weekly", body=body)
    OutboundMessage.objects.filter(pk=failing.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert outbox_deliver()["failed"] == 1
    assert list(OutboundMessage.objects.order_by("id").values_list("state", "body", "redacted_body")) == [
        ("logged", body, None), ("failed", body, None)]


def test_delivery_takes_three_statements_per_batch_and_a_pending_row_keeps_its_link(recorder,
                                                                                  django_assert_num_queries):
    later = timezone.now() + timedelta(hours=1)
    for n in range(3):
        outbox_enqueue(channel="sms", to_address=f"1380000000{n}", subject="s", body=f"link https://x/{n}/",
                       redacted_body=f"link {ZH}")
    waiting = outbox_enqueue(channel="sms", to_address="13900000000", subject="s", body="link https://x/9/",
                             redacted_body=f"link {ZH}")
    OutboundMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=later)
    # the due list, one claim for all, one UPDATE recording every outcome (and redacting)
    with django_assert_num_queries(3):
        assert outbox_deliver()["logged"] == 3
    assert list(OutboundMessage.objects.order_by("id").values_list("state", "body")) == [
        ("logged", f"link {ZH}"), ("logged", f"link {ZH}"), ("logged", f"link {ZH}"),
        ("pending", "link https://x/9/")]


def test_without_link_needs_the_link():
    with pytest.raises(ValueError):
        services.without_link("text", "")


# --- rows written before redaction existed ---------------------------------------------------------

RATE = "http://127.0.0.1:8000/callbacks/rate/Ab-_0123456789abcdefghijklmnopqrstu/"
SURVEY = "https://kefu.example.com/app/surveys/r/AbCdEfGhIjKl0123456789_-Ab/"
QR = "/surveys/b/LegacyToken-24chars_abcd/"


def _old_row(state: str, body: str) -> OutboundMessage:
    """A row as the outbox wrote it before 0005: no redacted text, in any state."""
    now = timezone.now()
    return OutboundMessage.objects.create(channel="sms", to_address="13800000000", subject="s", body=body,
                                          state=state, next_attempt_at=now, created_at=now,
                                          sent_at=None if state == "pending" else now)


def test_the_data_migration_removes_links_from_final_rows_and_prepares_pending_ones(recorder):
    rows = {
        "sent": _old_row("sent", f"您的请求“漏水”（GD1）已处理完毕，请为我们的服务评分（7 天内有效）：{RATE}"),
        "logged": _old_row("logged", f"Please tell us how satisfied you are with our service: {SURVEY} "
                                     "(open until 2026-11-30)."),
        "failed": _old_row("failed", f"诚邀您评价我们的服务：{SURVEY}（截至 2026-11-30）。QR: {QR}"),
        "staff": _old_row("sent", "GD1 漏水: 已处理\n\nsee https://kefu.example.com/workorders/5/"),
        "pending": _old_row("pending", f"我们尚未收到您的意见：{SURVEY}（截至 2026-11-30）。"),
    }
    migration.redact_links(apps, None)
    after = {name: OutboundMessage.objects.values("body", "redacted_body").get(pk=row.pk)
             for name, row in rows.items()}
    assert after == {
        "sent": {"body": f"您的请求“漏水”（GD1）已处理完毕，请为我们的服务评分（7 天内有效）：{ZH}",
                 "redacted_body": f"您的请求“漏水”（GD1）已处理完毕，请为我们的服务评分（7 天内有效）：{ZH}"},
        "logged": {"body": f"Please tell us how satisfied you are with our service: {EN} (open until 2026-11-30).",
                   "redacted_body": f"Please tell us how satisfied you are with our service: {EN} "
                                    "(open until 2026-11-30)."},
        "failed": {"body": f"诚邀您评价我们的服务：{ZH}（截至 2026-11-30）。QR: {ZH}",
                   "redacted_body": f"诚邀您评价我们的服务：{ZH}（截至 2026-11-30）。QR: {ZH}"},
        "staff": {"body": "GD1 漏水: 已处理\n\nsee https://kefu.example.com/workorders/5/", "redacted_body": None},
        "pending": {"body": f"我们尚未收到您的意见：{SURVEY}（截至 2026-11-30）。",
                    "redacted_body": f"我们尚未收到您的意见：{ZH}（截至 2026-11-30）。"},
    }
    for secret in ("Ab-_0123456789abcdefghijklmnopqrstu", "AbCdEfGhIjKl0123456789_-Ab", "LegacyToken-24chars_abcd"):
        for name in ("sent", "logged", "failed"):
            assert_no_trace(after[name]["body"], secret)
    # the pending row is still sent with its link, and is kept without it
    assert outbox_deliver()["logged"] == 1
    assert recorder.sent == [("13800000000", f"我们尚未收到您的意见：{SURVEY}（截至 2026-11-30）。")]
    assert OutboundMessage.objects.get(pk=rows["pending"].pk).body == f"我们尚未收到您的意见：{ZH}（截至 2026-11-30）。"
    # running it again changes nothing
    before = list(OutboundMessage.objects.order_by("id").values_list("body", "redacted_body"))
    migration.redact_links(apps, None)
    assert list(OutboundMessage.objects.order_by("id").values_list("body", "redacted_body")) == before


def test_the_data_migration_handles_more_rows_than_one_batch(monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)
    ids = [_old_row("sent", f"rate {RATE}").pk for _ in range(5)]
    migration.redact_links(apps, None)
    assert set(OutboundMessage.objects.filter(pk__in=ids).values_list("body", flat=True)) == {f"rate {EN}"}
