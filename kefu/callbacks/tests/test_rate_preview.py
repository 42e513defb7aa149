"""Staff see the rating link the customer received on the order page (how it went, until when),
and preview the rating page it opens; the link itself is kept only as a hash."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.callbacks.models import RatingLink
from kefu.callbacks.tests.factories import resolve
from kefu.customers.tests.factories import make_customer
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _resolved(cast):
    customer = make_customer(name="李四", phones=["13800138000"])
    order = make_work_order(actor=cast["agent"], type="repair", customer=customer, title="厨房下水道堵塞")
    return resolve(order, cast["agent"])


def test_the_order_page_shows_the_waiting_rating_link_and_its_preview(cast):
    order = _resolved(cast)
    link = RatingLink.objects.get(work_order=order)
    body = _client(cast["agent"]).get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert f'data-rating-link="{link.pk}"' in body
    assert "评价链接 · 短信发送" in body
    assert reverse("callbacks:rate_preview", args=[order.pk]) in body
    assert "13800138000" not in body.split('data-rating-link')[1].split("</li>")[0]  # no address shown


def test_the_preview_shows_the_customers_page_and_cannot_be_sent(cast):
    order = _resolved(cast)
    url = reverse("callbacks:rate_preview", args=[order.pk])
    response = _client(cast["agent"]).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "预览：这是客户打开评价链接后看到的页面，此处无法提交。" in body
    assert f"{order.number} · 厨房下水道堵塞" in body
    assert 'id="rating-submit" disabled' in body
    posted = _client(cast["agent"]).post(url, {"speed": 5, "attitude": 5, "quality": 5})
    assert posted.status_code == 405
    assert RatingLink.objects.get(work_order=order).used_at is None  # nothing rated


def test_the_preview_is_scoped_like_the_order(cast):
    order = _resolved(cast)
    url = reverse("callbacks:rate_preview", args=[order.pk])
    assert _client(cast["other_technician"]).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
