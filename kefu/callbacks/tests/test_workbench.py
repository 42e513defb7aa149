"""The callback workbench (issue #20): tabs with counts, quick not-reached reasons with the next
attempt time, "save and next", tap-to-call and the order's history beside the form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.callbacks.models import Callback, CallbackAttempt
from kefu.callbacks.tests.factories import callback_of, make_resolved
from kefu.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _login(client, user, language="zh-hans"):
    client.force_login(user)
    user.staff.language = language
    user.staff.save(update_fields=["language"])
    return client


@pytest.fixture
def three(cast):
    """An overdue callback, one due later today, one due in three days."""
    now = timezone.now()
    overdue, today, later = (make_resolved(actor=cast["agent"]) for _ in range(3))
    end = timezone.localtime(now).replace(hour=23, minute=59, second=0, microsecond=0)
    Callback.objects.filter(work_order=overdue).update(due_at=now - timedelta(hours=3))
    Callback.objects.filter(work_order=today).update(due_at=max(end, now + timedelta(seconds=30)))
    Callback.objects.filter(work_order=later).update(due_at=now + timedelta(days=3))
    Callback.objects.filter(work_order__in=[overdue, today, later]).update(assignee=None)
    Callback.objects.filter(work_order=overdue).update(assignee=cast["agent"])
    WorkOrder.objects.filter(pk__in=[overdue.pk, today.pk, later.pk]).update(contact_phone="13800001234")
    return callback_of(overdue), callback_of(today), callback_of(later)


def _counts(html):
    import re
    return dict(re.findall(r'data-queue="(\w+)">[^<]*<span class="badge[^"]*kefu-tab-count">(\d+)</span>', html))


def test_tabs_carry_counts(client, cast, three, django_assert_max_num_queries):
    _login(client, cast["agent"])
    response = client.get("/callbacks/?queue=overdue")
    html = response.content.decode()
    assert _counts(html) == {"due": "2", "overdue": "1", "upcoming": "1", "mine": "1"}
    overdue, today, later = three
    assert overdue.work_order.number in html and today.work_order.number not in html
    html = client.get("/callbacks/?queue=upcoming").content.decode()
    assert later.work_order.number in html and overdue.work_order.number not in html
    # the workbench (one callback) has the same tabs, and a bounded number of queries
    with django_assert_max_num_queries(30):
        response = client.get(f"/callbacks/{overdue.pk}/?queue=due")
    assert response.status_code == 200
    assert _counts(response.content.decode()) == {"due": "2", "overdue": "1", "upcoming": "1", "mine": "1"}


def test_workbench_has_tap_to_call_and_the_orders_history(client, cast, three):
    overdue = three[0]
    html = _login(client, cast["agent"]).get(f"/callbacks/{overdue.pk}/").content.decode()
    phone = overdue.work_order.contact_phone
    assert phone and f'href="tel:{phone}"' in html
    assert 'id="order-history"' in html and 'data-action="resolve"' in html
    for reason in ("无人接听", "占线", "号码错误", "关机"):
        assert reason in html
    assert 'id="attempt-submit-next"' in html


def test_not_reached_with_reason_and_next_attempt_then_save_and_next(client, cast, three):
    overdue, today, _later = three
    _login(client, cast["agent"])
    next_at = timezone.localtime() + timedelta(hours=3)
    response = client.post(f"/callbacks/{overdue.pk}/attempts/", {
        "method": "phone", "reached": "no", "not_reached_reason": "busy",
        "next_attempt_at": next_at.strftime("%Y-%m-%dT%H:%M"), "queue": "due", "next": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/callbacks/{today.pk}/?queue=due"  # the next one of the tab
    attempt = CallbackAttempt.objects.get(callback=overdue)
    assert (attempt.reached, attempt.not_reached_reason) == (False, "busy")
    assert attempt.next_attempt_at == next_at.replace(second=0, microsecond=0)
    overdue.refresh_from_db()
    assert (overdue.status, overdue.attempts_count, overdue.next_attempt_at) == ("open", 1, attempt.next_attempt_at)
    # the waiting one is skipped by "save and next" until its time; with nothing left: the tab
    response = client.post(f"/callbacks/{today.pk}/attempts/", {
        "method": "phone", "reached": "yes", "outcome": "satisfied", "solved": "yes", "queue": "due", "next": "1",
        "not_reached_reason": "busy"})  # left behind in the hidden part of the form: ignored
    assert response.status_code == 302
    assert response["Location"] == "/callbacks/?queue=due"
    today.refresh_from_db()
    assert today.status == "completed"
    assert CallbackAttempt.objects.get(callback=today).not_reached_reason == ""


@pytest.mark.parametrize(("data", "field"), [
    ({"not_reached_reason": "asleep"}, "not_reached_reason"),
    ({"next_attempt_at": "2000-01-01T10:00"}, "next_attempt_at"),
    ({"next_attempt_at": "soon"}, "next_attempt_at"),
])
def test_bad_not_reached_input_is_400_and_writes_nothing(client, cast, three, data, field):
    overdue = three[0]
    _login(client, cast["agent"])
    response = client.post(f"/callbacks/{overdue.pk}/attempts/", {"method": "phone", "reached": "no", **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not CallbackAttempt.objects.filter(callback=overdue).exists()
    overdue.refresh_from_db()
    assert (overdue.attempts_count, overdue.next_attempt_at) == (0, None)


def test_next_attempt_beyond_30_days_is_refused_by_the_service(cast, three):
    from kefu.callbacks import services
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.callback_attempt_record(callback=three[0], actor_user=cast["agent"], method="phone", reached=False,
                                         next_attempt_at=timezone.now() + timedelta(days=31))
    assert list(error.value.fields) == ["next_attempt_at"]
    with pytest.raises(InvalidInput) as error:
        services.callback_attempt_record(callback=three[0], actor_user=cast["agent"], method="phone", reached=True,
                                         outcome="satisfied", solved=True, not_reached_reason="busy")
    assert list(error.value.fields) == ["not_reached_reason"]
    assert not CallbackAttempt.objects.exists()


def test_workbench_in_english(client, cast, three):
    html = _login(client, cast["agent"], "en").get(f"/callbacks/{three[0].pk}/").content.decode()
    for text in ("Due today", "Overdue", "Upcoming", "No answer", "Switched off", "Save and next", "The order's history"):
        assert text in html


def test_api_takes_the_not_reached_reason_and_the_next_attempt(api, cast, three):
    overdue = three[0]
    next_at = (timezone.now() + timedelta(hours=4)).replace(microsecond=0)
    response = api(cast["agent"]).post(f"/api/v1/callbacks/{overdue.pk}/attempts/", {
        "method": "phone", "reached": False, "not_reached_reason": "switched_off",
        "next_attempt_at": next_at.isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["not_reached_reason"], response.json()["reached"]) == ("switched_off", False)
    body = api(cast["agent"]).get(f"/api/v1/callbacks/{overdue.pk}/").json()
    assert (body["attempts_count"], body["next_attempt_at"] is not None) == (1, True)
    overdue.refresh_from_db()
    assert overdue.next_attempt_at == next_at
    bad = api(cast["agent"]).post(f"/api/v1/callbacks/{overdue.pk}/attempts/", {
        "method": "phone", "reached": False, "not_reached_reason": "asleep"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["not_reached_reason"])
