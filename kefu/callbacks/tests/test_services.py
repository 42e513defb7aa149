"""Callback services on the real database: creation on resolve, attempts and their consequences,
follow-ups, rating links and ratings, denial paths that must leave nothing behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackAttempt, RatingLink
from kefu.callbacks.selectors import rating_link_for_token
from kefu.callbacks.tests.factories import callback_of, make_resolved, make_rule, png_data_url, resolve
from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.customers.tests.factories import make_customer
from kefu.notifications.models import Notification, OutboundMessage
from kefu.notifications.services import notifications_for_event
from kefu.sla.models import SlaClock
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db


def _record(callback, user, **kwargs):
    return services.callback_attempt_record(callback=callback, actor_user=user, **kwargs)


def test_resolved_complaint_gets_a_callback_due_with_the_callback_clock(cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    clock = SlaClock.objects.get(work_order=order, kind="callback")
    assert clock.stopped_at is None
    assert callback.due_at == clock.due_at
    assert callback.due_at > order.resolved_at
    assert (callback.source, callback.status, callback.max_attempts, callback.attempts_count) == (
        "resolution", "open", 3, 0)
    assert callback.assignee == cast["agent"]
    assert callback.customer_id is None
    assert callback.rule.name == "投诉与报修全部回访"


def test_inquiry_without_rule_or_callback_target_gets_no_callback(cast):
    order = make_resolved(actor=cast["agent"], type="inquiry")
    assert not Callback.objects.filter(work_order=order).exists()


def test_dissatisfied_attempt_reopens_the_order_through_the_gate(cast, django_capture_on_commit_callbacks):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    _record(callback, cast["agent"], method="phone", reached=True, outcome="dissatisfied", solved=True,
            comment="维修后仍然有噪音")
    order.refresh_from_db()
    callback.refresh_from_db()
    assert (order.status, order.reopen_count) == ("accepted", 1)
    reopen = order.events.get(action="reopen")
    assert reopen.actor == cast["agent"]
    assert reopen.body == f"回访 #{callback.pk}：不满意，已解决。 维修后仍然有噪音"
    assert reopen.data == {"reason": reopen.body}
    assert (callback.status, callback.outcome, callback.solved, callback.attempts_count) == (
        "completed", "dissatisfied", True, 1)
    clock = SlaClock.objects.get(work_order=order, kind="callback")
    assert clock.state == "met"
    # First-contact owner is the actor here; the supervisor is told.
    notifications_for_event(event_id=reopen.pk)
    assert set(Notification.objects.filter(event=reopen).values_list("recipient__username", flat=True)) == {
        "supervisor"}


def test_not_solved_reopens_even_when_satisfied_and_owner_and_supervisor_hear_of_it(cast):
    order = make_resolved(actor=cast["agent"])
    _record(callback_of(order), cast["qa"], method="phone", reached=True, outcome="satisfied", solved=False)
    order.refresh_from_db()
    assert (order.status, order.reopen_count) == ("accepted", 1)
    reopen = order.events.get(action="reopen")
    notifications_for_event(event_id=reopen.pk)
    assert set(Notification.objects.filter(event=reopen).values_list("recipient__username", flat=True)) == {
        "agent", "supervisor"}


def test_three_unreachable_attempts_end_as_unreachable(cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    for n in (1, 2):
        _record(callback, cast["agent"], method="phone", reached=False)
        callback.refresh_from_db()
        assert (callback.status, callback.attempts_count) == ("open", n)
    _record(callback, cast["agent"], method="sms", reached=False, comment="无人接听")
    callback.refresh_from_db()
    order.refresh_from_db()
    assert (callback.status, callback.attempts_count, callback.outcome, callback.solved) == (
        "unreachable", 3, "", None)
    assert callback.completed_by == cast["agent"]
    assert order.status == "resolved"  # unreachable is neither satisfied nor a reason to reopen
    assert SlaClock.objects.get(work_order=order, kind="callback").stopped_at is not None
    with pytest.raises(Conflict):
        _record(callback, cast["agent"], method="phone", reached=False)
    assert CallbackAttempt.objects.filter(callback=callback).count() == 3


def test_satisfied_closes_only_with_auto_close(cast):
    make_rule(name="auto", types=["repair"], mode="all", auto_close=True)
    repair = make_resolved(actor=cast["agent"], type="repair")
    complaint = make_resolved(actor=cast["agent"])
    _record(callback_of(repair), cast["agent"], method="phone", reached=True, outcome="very_satisfied", solved=True)
    _record(callback_of(complaint), cast["agent"], method="phone", reached=True, outcome="satisfied", solved=True)
    repair.refresh_from_db()
    complaint.refresh_from_db()
    assert repair.status == "closed"
    assert repair.events.get(action="close").actor == cast["agent"]
    assert complaint.status == "resolved"


def test_recorder_who_may_not_reopen_flags_the_callback_and_tells_the_supervisor(cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    _record(callback, cast["clerk"], method="phone", reached=True, outcome="very_dissatisfied", solved=False)
    order.refresh_from_db()
    callback.refresh_from_db()
    assert (order.status, order.reopen_count) == ("resolved", 0)
    assert callback.reopen_requested is True
    event = order.events.get(action="comment")
    assert event.actor is None and event.internal
    assert event.data["reopen_requested"] is True
    notifications_for_event(event_id=event.pk)
    assert set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True)) == {
        "agent", "supervisor"}


@pytest.mark.parametrize("user", ["technician", "vendor"])
def test_workers_may_not_record_callbacks(cast, user):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    with pytest.raises(NotAllowed):
        _record(callback, cast[user], method="phone", reached=False)
    callback.refresh_from_db()
    assert callback.attempts_count == 0
    assert not CallbackAttempt.objects.exists()


def test_callback_of_an_unseen_order_is_not_found(cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    with pytest.raises(NotFound):
        _record(callback, cast["other_steward"], method="phone", reached=False)
    assert not CallbackAttempt.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"method": "fax", "reached": False}, "method"),
    ({"method": "phone", "reached": None}, "reached"),
    ({"method": "phone", "reached": True, "solved": True}, "outcome"),
    ({"method": "phone", "reached": True, "outcome": "happy", "solved": True}, "outcome"),
    ({"method": "phone", "reached": True, "outcome": "satisfied"}, "solved"),
    ({"method": "phone", "reached": False, "outcome": "satisfied"}, "outcome"),
    ({"method": "phone", "reached": "yes"}, "reached"),
    ({"method": "phone", "reached": False, "comment": "x" * 2001}, "comment"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": "data:image/jpeg;base64,AAAA"}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": "data:image/png;base64,!!notbase64"}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": "data:image/png;base64,R0lGODlhAQABAAAAACw="}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": png_data_url(5000, 30)}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": png_data_url(10, 10)}, "signature"),
    ({"method": "phone", "reached": False, "attempted_at": timezone.now() + timedelta(hours=1)}, "attempted_at"),
])
def test_bad_attempts_are_refused_naming_the_field_and_write_nothing(cast, kwargs, field):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    with pytest.raises(InvalidInput) as error:
        _record(callback, cast["agent"], **kwargs)
    assert list(error.value.fields) == [field]
    callback.refresh_from_db()
    order.refresh_from_db()
    assert (callback.status, callback.attempts_count, order.status) == ("open", 0, "resolved")
    assert not CallbackAttempt.objects.exists()


def test_on_site_attempt_stores_the_signature_png(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    callback = callback_of(make_resolved(actor=cast["agent"]))
    attempt = _record(callback, cast["supervisor"], method="on_site", reached=True, outcome="satisfied", solved=True,
                      signature=png_data_url())
    with attempt.signature.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert attempt.signature.name.startswith(f"callbacks/{callback.pk}/signature-")


def test_on_site_required_callback_must_be_done_on_site(cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    Callback.objects.filter(pk=callback.pk).update(on_site_required=True)
    with pytest.raises(InvalidInput) as error:
        _record(callback, cast["agent"], method="phone", reached=True, outcome="satisfied", solved=True)
    assert list(error.value.fields) == ["method"]
    # Not reaching them by phone (to make an appointment) is fine.
    _record(callback, cast["agent"], method="phone", reached=False)


def test_reopen_cancels_the_open_callback_and_the_next_resolution_starts_a_new_one(cast):
    order = make_resolved(actor=cast["agent"])
    first = callback_of(order)
    order = advance(order, cast["supervisor"], ("reopen", {"reason": "客户再次来电"}))
    first.refresh_from_db()
    assert first.status == "cancelled"
    resolve(order, cast["agent"])
    second = callback_of(order)
    assert second.pk != first.pk
    assert Callback.objects.filter(work_order=order).count() == 2


def test_rule_none_cancels_the_callback_clock(cast):
    make_rule(name="no callbacks for complaints", types=["complaint"], mode="none")
    order = make_resolved(actor=cast["agent"])
    assert not Callback.objects.filter(work_order=order).exists()
    assert SlaClock.objects.get(work_order=order, kind="callback").state == "cancelled"


def test_callback_team_rule_assigns_the_team(cast, org):
    make_rule(name="team", types=["complaint"], mode="all", callback_team=org["stw"], max_attempts=5)
    callback = callback_of(make_resolved(actor=cast["agent"]))
    assert (callback.team, callback.assignee, callback.max_attempts) == (org["stw"], None, 5)


# --- follow-ups -------------------------------------------------------------------------------

def test_follow_up_is_idempotent_on_reference(cast):
    customer = make_customer(name="张三")
    first = services.callback_create_follow_up(customer=customer, reason="问卷不满意", source="survey",
                                               reference="survey-response:7")
    again = services.callback_create_follow_up(customer=customer, reason="other", source="survey",
                                               reference="survey-response:7")
    assert first.pk == again.pk
    assert (first.work_order, first.customer, first.source, first.reason) == (None, customer, "survey", "问卷不满意")
    assert Callback.objects.count() == 1


@pytest.mark.parametrize("kwargs, field", [({"source": "nope"}, "source"), ({"reference": " "}, "reference"),
                                           ({"customer": None}, "customer")])
def test_follow_up_refuses_bad_input(cast, kwargs, field):
    values = {"customer": make_customer(), "reason": "r", "source": "survey", "reference": "x"} | kwargs
    with pytest.raises(InvalidInput) as error:
        services.callback_create_follow_up(**values)
    assert list(error.value.fields) == [field]
    assert not Callback.objects.exists()


# --- rating links --------------------------------------------------------------------------------

def _rated_order(cast, **kwargs):
    customer = make_customer(name="李四", phones=["13800138000"])
    order = make_work_order(actor=cast["agent"], type="repair", customer=customer, **kwargs)
    return resolve(order, cast["agent"])


def test_resolution_sends_a_rating_link_through_the_outbox(cast):
    order = _rated_order(cast)
    link = RatingLink.objects.get(work_order=order)
    message = OutboundMessage.objects.get(notification=None)
    assert (link.channel, link.to_address, message.channel, message.to_address) == (
        "sms", "13800138000", "sms", "13800138000")
    assert "/callbacks/rate/" in message.body
    token = message.body.split("/callbacks/rate/")[1].split("/")[0]
    assert rating_link_for_token(token=token) == ("valid", link)
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_the_rating_message_is_in_the_customers_language(cast):
    from kefu.customers.models import Customer
    from kefu.notifications.services import outbox_deliver

    chinese = _rated_order(cast)
    english_customer = make_customer(name="John Smith", phones=["13900139000"])
    Customer.objects.filter(pk=english_customer.pk).update(language="en")
    english = resolve(make_work_order(actor=cast["agent"], type="repair", customer=english_customer), cast["agent"])
    bodies = dict(OutboundMessage.objects.filter(notification=None).values_list("to_address", "body"))
    assert bodies["13800138000"].startswith("您的") and chinese.number in bodies["13800138000"]
    assert bodies["13900139000"].startswith("Your request") and english.number in bodies["13900139000"]
    outbox_deliver()
    bodies = dict(OutboundMessage.objects.filter(notification=None).values_list("to_address", "body"))
    assert "[链接已隐去]" in bodies["13800138000"] and "[link removed]" in bodies["13900139000"]


def test_low_rating_creates_a_callback_and_the_link_works_once(cast):
    order = _rated_order(cast)
    link, token = services.rating_link_issue(order=order)
    Callback.objects.filter(work_order=order).update(status="completed")
    services.rating_submit(token=token, speed=5, attitude="2", quality=4, comment="态度差")
    link.refresh_from_db()
    assert (link.speed, link.attitude, link.quality, link.comment) == (5, 2, 4, "态度差")
    callback = callback_of(order)
    assert (callback.source, callback.reference) == ("rating", f"rating:{link.pk}")
    assert "态度差" in callback.reason
    with pytest.raises(Conflict):
        services.rating_submit(token=token, speed=5, attitude=5, quality=5)
    link.refresh_from_db()
    assert link.attitude == 2


def test_good_rating_creates_no_callback(cast):
    order = _rated_order(cast)
    Callback.objects.filter(work_order=order).update(status="completed")
    _link, token = services.rating_link_issue(order=order)
    services.rating_submit(token=token, speed=3, attitude=4, quality=5)
    assert not Callback.objects.filter(work_order=order, status="open").exists()


@pytest.mark.parametrize("stars", [{"speed": 0}, {"speed": 6}, {"quality": "x"}, {"attitude": None},
                                   {"attitude": True}, {"speed": "3.5"}])
def test_bad_ratings_are_refused_and_the_link_stays_usable(cast, stars):
    order = _rated_order(cast)
    link, token = services.rating_link_issue(order=order)
    values = {"speed": 4, "attitude": 4, "quality": 4} | stars
    with pytest.raises(InvalidInput) as error:
        services.rating_submit(token=token, **values)
    assert list(error.value.fields) == list(stars)
    link.refresh_from_db()
    assert link.used_at is None


def test_expired_and_unknown_links_are_refused(cast):
    order = _rated_order(cast)
    link, token = services.rating_link_issue(order=order)
    RatingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert rating_link_for_token(token=token)[0] == "expired"
    assert rating_link_for_token(token="nope")[0] == "unknown"
    with pytest.raises(Conflict):
        services.rating_submit(token=token, speed=1, attitude=1, quality=1)
    assert not Callback.objects.filter(source="rating").exists()


def test_reopen_expires_unused_rating_links(cast):
    order = _rated_order(cast)
    link = RatingLink.objects.get(work_order=order)
    advance(order, cast["agent"], ("reopen", {"reason": "again"}))
    link.refresh_from_db()
    assert link.expires_at <= timezone.now()
    assert WorkOrder.objects.get(pk=order.pk).status == "accepted"
