"""Callback API: the list with its filters and visibility, recording attempts, error shapes."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.callbacks.models import Callback, CallbackAttempt
from kefu.callbacks.tests.factories import callback_of, make_resolved, png_data_url

pytestmark = pytest.mark.django_db
URL = "/api/v1/callbacks/"


def test_list_carries_the_contract_fields_and_filters(api, cast):
    first = make_resolved(actor=cast["agent"])
    second = make_resolved(actor=cast["agent"], type="repair")
    a, b = callback_of(first), callback_of(second)
    Callback.objects.filter(pk=b.pk).update(due_at=timezone.now() + timedelta(days=30))
    client = api(cast["supervisor"])
    body = client.get(URL).json()
    assert body["count"] == 2
    row = body["results"][0]
    assert {k: row[k] for k in ("id", "work_order", "status", "on_site_required")} == {
        "id": a.pk, "work_order": first.pk, "status": "open", "on_site_required": False}
    assert row["due_at"] == timezone.localtime(a.due_at).isoformat()
    assert [r["id"] for r in client.get(URL, {"work_order": second.pk}).json()["results"]] == [b.pk]
    due_before = (timezone.now() + timedelta(days=10)).isoformat()
    assert [r["id"] for r in client.get(URL, {"due_before": due_before}).json()["results"]] == [a.pk]
    assert client.get(URL, {"status": "completed"}).json()["count"] == 0
    bad = client.get(URL, {"status": "nope"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message", "fields"} and "status" in bad.json()["fields"]


def test_list_follows_work_order_visibility(api, cast):
    callback_of(make_resolved(actor=cast["agent"]))
    assert api(cast["other_steward"]).get(URL).json()["count"] == 0
    assert api(cast["qa"]).get(URL).json()["count"] == 1
    assert api().get(URL).status_code in (401, 403)


def test_unseen_callback_is_404(api, cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    response = api(cast["other_steward"]).post(f"{URL}{callback.pk}/attempts/", {"method": "phone", "reached": False})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not CallbackAttempt.objects.exists()


def test_dissatisfied_attempt_through_the_api_reopens_the_order(api, cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    response = api(cast["agent"]).post(f"{URL}{callback.pk}/attempts/", {
        "method": "phone", "reached": True, "outcome": "dissatisfied", "solved": True, "comment": "仍有噪音"},
        format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["reached"], response.json()["outcome"]) == (True, "dissatisfied")
    order.refresh_from_db()
    assert (order.status, order.reopen_count) == ("accepted", 1)
    body = api(cast["agent"]).get(f"{URL}{callback.pk}/").json()
    assert (body["status"], body["attempts_count"], body["outcome"]) == ("completed", 1, "dissatisfied")


@pytest.mark.parametrize("payload, field", [
    ({"method": "phone", "reached": True, "solved": True}, "outcome"),
    ({"method": "phone", "reached": True, "outcome": "satisfied"}, "solved"),
    ({"method": "fax", "reached": False}, "method"),
    ({"method": "phone"}, "reached"),
    ({"method": "phone", "reached": True, "outcome": "great", "solved": True}, "outcome"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True}, "signature"),
    ({"method": "on_site", "reached": True, "outcome": "satisfied", "solved": True,
      "signature": "data:image/png;base64,AAAA"}, "signature"),
])
def test_bad_attempts_get_400_naming_the_field(api, cast, payload, field):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    response = api(cast["agent"]).post(f"{URL}{callback.pk}/attempts/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert response.json()["message"]
    callback.refresh_from_db()
    order.refresh_from_db()
    assert (callback.attempts_count, order.status) == (0, "resolved")
    assert not CallbackAttempt.objects.exists()


def test_on_site_attempt_with_signature_and_the_signature_is_served_to_who_may_see_it(api, cast, client, settings,
                                                                                   tmp_path):
    settings.MEDIA_ROOT = tmp_path
    callback = callback_of(make_resolved(actor=cast["agent"]))
    response = api(cast["agent"]).post(f"{URL}{callback.pk}/attempts/", {
        "method": "on_site", "reached": True, "outcome": "very_satisfied", "solved": True,
        "signature": png_data_url()}, format="json")
    assert response.status_code == 201
    assert response.json()["has_signature"] is True
    attempt = CallbackAttempt.objects.get()
    client.force_login(cast["agent"])
    image = client.get(f"/callbacks/{callback.pk}/attempts/{attempt.pk}/signature/")
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert b"".join(image.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    client.force_login(cast["other_steward"])
    assert client.get(f"/callbacks/{callback.pk}/attempts/{attempt.pk}/signature/").status_code == 404


def test_closed_callback_is_409(api, cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    Callback.objects.filter(pk=callback.pk).update(status="cancelled")
    response = api(cast["agent"]).post(f"{URL}{callback.pk}/attempts/", {"method": "phone", "reached": False},
                                       format="json")
    assert (response.status_code, response.json()["code"]) == (409, "callback_closed")


def _list_queries(django_assert_max_num_queries, user, budget):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(URL, {"page_size": 100})
    return response.json()["count"], len(captured)


def test_list_query_count_does_not_grow_with_rows(cast, django_assert_max_num_queries):
    for _ in range(3):
        make_resolved(actor=cast["agent"])
    count, small = _list_queries(django_assert_max_num_queries, cast["supervisor"], 10)
    for _ in range(12):
        make_resolved(actor=cast["agent"], type="repair")
    count_large, large = _list_queries(django_assert_max_num_queries, cast["supervisor"], 10)
    assert (count, count_large) == (3, 15)
    assert large == small
