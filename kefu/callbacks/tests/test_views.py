"""Callback pages: the queue (due today, overdue first, scoped), the attempt form with marked
errors, the customer's rating page and its friendly refusals, in Chinese and English."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackAttempt, RatingLink
from kefu.callbacks.tests.factories import callback_of, make_resolved, png_data_url
from kefu.customers.tests.factories import make_customer
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _login(client, user, language="zh-hans"):
    client.force_login(user)
    staff = user.staff
    staff.language = language
    staff.save(update_fields=["language"])
    return client


def test_queue_shows_due_today_overdue_first_and_hides_later_ones(client, cast):
    overdue, today, later = (make_resolved(actor=cast["agent"]) for _ in range(3))
    now = timezone.now()
    Callback.objects.filter(work_order=overdue).update(due_at=now - timedelta(hours=3))
    Callback.objects.filter(work_order=today).update(due_at=timezone.localtime(now).replace(hour=23, minute=59))
    Callback.objects.filter(work_order=later).update(due_at=now + timedelta(days=3))
    response = _login(client, cast["agent"]).get("/callbacks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "今日到期" in html and "回访" in html
    assert html.index(overdue.number) < html.index(today.number)
    assert later.number not in html
    assert "kefu-overdue" in html
    assert response.context["page"].paginator.count == 2
    assert later.number in client.get("/callbacks/?queue=open").content.decode()
    assert client.get("/callbacks/?queue=bogus").context["queue"] == "due"


def test_queue_in_english_and_scoped_to_visible_orders(client, cast):
    order = make_resolved(actor=cast["agent"])
    response = _login(client, cast["supervisor"], "en").get("/callbacks/?queue=open")
    assert "Callbacks" in response.content.decode() and order.number in response.content.decode()
    other = _login(Client(), cast["other_steward"]).get("/callbacks/?queue=open")
    assert order.number not in other.content.decode()
    assert other.context["page"].paginator.count == 0


def test_queue_mine_and_team(client, cast, org):
    mine = make_resolved(actor=cast["agent"])
    _login(client, cast["agent"])
    assert [c.work_order_id for c in client.get("/callbacks/?queue=mine").context["callbacks"]] == [mine.pk]
    assert [c.work_order_id for c in client.get("/callbacks/?queue=team").context["callbacks"]] == [mine.pk]
    _login(client, cast["supervisor"])
    assert list(client.get("/callbacks/?queue=mine").context["callbacks"]) == []


def test_queue_requires_staff(client, cast):
    assert client.get("/callbacks/").status_code == 302
    user = get_user_model().objects.create_user("nobody", password="pw")
    client.force_login(user)
    assert client.get("/callbacks/").status_code == 403


def _queue_queries(client, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get("/callbacks/?queue=open")
    return response.context["page"].paginator.count, len(captured)


def test_queue_query_count_does_not_grow_with_rows(client, cast, django_assert_max_num_queries):
    customer = make_customer(name="王五")
    for _ in range(2):
        make_resolved(actor=cast["agent"], customer=customer)
    _login(client, cast["supervisor"])
    count, small = _queue_queries(client, django_assert_max_num_queries, 16)
    for _ in range(10):
        make_resolved(actor=cast["agent"], type="repair", customer=customer)
    count_large, large = _queue_queries(client, django_assert_max_num_queries, 16)
    assert (count, count_large) == (2, 12)
    assert large == small


def test_detail_and_unseen_is_404(client, cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    response = _login(client, cast["agent"]).get(f"/callbacks/{callback.pk}/")
    assert response.status_code == 200
    assert 'id="attempt-form"' in response.content.decode()
    assert _login(Client(), cast["other_steward"]).get(f"/callbacks/{callback.pk}/").status_code == 404
    # QA sees every order but, like everyone who may not record, gets no form on a closed callback.
    Callback.objects.filter(pk=callback.pk).update(status="unreachable")
    page = _login(Client(), cast["qa"]).get(f"/callbacks/{callback.pk}/")
    assert page.status_code == 200 and 'id="attempt-form"' not in page.content.decode()


def test_attempt_form_records_and_redirects(client, cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    response = _login(client, cast["agent"]).post(f"/callbacks/{callback.pk}/attempts/", {
        "method": "phone", "reached": "yes", "outcome": "very_dissatisfied", "solved": "no", "comment": "没修好"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.reopen_count) == ("accepted", 1)
    page = client.get(response["Location"]).content.decode()
    assert "非常不满意" in page and "没修好" in page


def test_attempt_form_marks_the_missing_field_and_writes_nothing(client, cast):
    callback = callback_of(make_resolved(actor=cast["agent"]))
    response = _login(client, cast["agent"], "en").post(f"/callbacks/{callback.pk}/attempts/", {
        "method": "phone", "reached": "yes", "solved": "yes"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-select is-invalid" name="outcome"' in html
    assert "This field is required: outcome" in html
    response = client.post(f"/callbacks/{callback.pk}/attempts/", {
        "method": "on_site", "reached": "yes", "outcome": "satisfied", "solved": "yes", "signature": ""})
    assert response.status_code == 400
    assert 'id="signature-error"' in response.content.decode()
    assert client.post(f"/callbacks/{callback.pk}/attempts/", {"reached": "no"}).status_code == 400
    assert not CallbackAttempt.objects.exists()


def test_attempt_form_accepts_a_signature(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    callback = callback_of(make_resolved(actor=cast["agent"]))
    response = _login(client, cast["agent"]).post(f"/callbacks/{callback.pk}/attempts/", {
        "method": "on_site", "reached": "yes", "outcome": "satisfied", "solved": "yes", "signature": png_data_url()})
    assert response.status_code == 302
    assert CallbackAttempt.objects.get().signature.name.endswith(".png")
    assert "kefu-signature" in client.get(response["Location"]).content.decode()


# --- the rating page --------------------------------------------------------------------------------

def _link(cast):
    customer = make_customer(phones=["13900139000"])
    order = make_resolved(actor=cast["agent"], type="repair", customer=customer)
    Callback.objects.filter(work_order=order).update(status="completed")
    link, token = services.rating_link_issue(order=order)
    return order, link, token


def test_rating_page_rates_once(cast):
    order, link, token = _link(cast)
    client = Client()
    url = f"/callbacks/rate/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert order.number in page.content.decode() and "服务评价" in page.content.decode()
    done = client.post(url, {"speed": "5", "attitude": "1", "quality": "4", "comment": "太慢"})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    link.refresh_from_db()
    assert (link.speed, link.attitude, link.quality, link.comment) == (5, 1, 4, "太慢")
    assert callback_of(order).source == "rating"
    again = client.get(url)
    assert again.status_code == 410
    assert "您已经评价过这次服务" in again.content.decode()
    repost = client.post(url, {"speed": "5", "attitude": "5", "quality": "5"})
    assert repost.status_code == 410
    link.refresh_from_db()
    assert link.attitude == 1


def test_rating_page_missing_stars_is_a_marked_form(cast):
    _order, link, token = _link(cast)
    response = Client().post(f"/callbacks/rate/{token}/", {"speed": "5", "quality": "9"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Please give 1 to 5 stars for each question." in response.content.decode()
    link.refresh_from_db()
    assert link.used_at is None


def test_expired_and_unknown_links_get_a_friendly_page(cast):
    _order, link, token = _link(cast)
    RatingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = Client().get(f"/callbacks/rate/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert expired.status_code == 410
    assert "This rating link has expired." in expired.content.decode()
    unknown = Client().get("/callbacks/rate/not-a-token/")
    assert unknown.status_code == 404
    assert "该评价链接无效" in unknown.content.decode()
    assert 'id="rating-closed"' in Client().get(f"/callbacks/rate/{'x' * 300}/").content.decode()


def test_order_without_contact_gets_no_rating_link(cast):
    order = make_work_order(actor=cast["agent"], type="repair")
    assert services.rating_link_issue(order=order) is None
    assert not RatingLink.objects.filter(work_order=order).exists()


# --- the follow-up panel on the work-order page ------------------------------------------------------

def test_work_order_page_shows_its_callbacks_and_ratings(client, cast):
    order, link, token = _link(cast)
    Client().post(f"/callbacks/rate/{token}/", {"speed": "5", "attitude": "4", "quality": "2", "comment": "还行"})
    _login(client, cast["agent"], "en")
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    panel = page[page.index('id="order-follow-up"'):]
    # the completed resolution callback and the low-quality rating's follow-up callback, then the rating
    assert panel.count("data-callback=") == Callback.objects.filter(work_order=order).count() == 2
    assert "speed 5 · attitude 4 · quality 2" in panel and "还行" in panel


def test_work_order_page_without_follow_up_has_no_panel(client, cast):
    order = make_work_order(actor=cast["agent"])
    _login(client, cast["agent"])
    assert 'id="order-follow-up"' not in client.get(f"/work-orders/{order.pk}/").content.decode()
