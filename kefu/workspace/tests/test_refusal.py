"""A page that refuses a role says why (the view's reason and the role signed in), never a blank
page; and Kefu's own favicon is served."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _client(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_refused_page_names_the_reason_and_the_role_in_chinese(cast):
    response = _client(cast["agent"]).get(reverse("privacy:access_log"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "仅质检员或系统管理员可以查看个人信息访问日志。" in body
    assert f"您当前的身份：{cast['agent'].staff.role.name}。" in body
    assert "返回工单队列" in body


def test_a_refused_page_names_the_reason_in_english(cast):
    client = _client(cast["agent"], "en")
    client.post(reverse("core:set_language"), {"language": "en"})
    response = client.get(reverse("privacy:access_log"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only a quality inspector or an administrator may read the personal-data access log." in body
    assert "You are signed in as:" in body


def test_a_refusal_without_a_reason_still_says_why(cast):
    # The staff-only pages refuse a signed-in user without a staff profile with the decorator's reason.
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user("outsider", password="pw")
    response = _client(outsider).get(reverse("workorders:queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "data-testid=\"refusal-reason\"" in body
    assert "data-testid=\"refusal-role\"" not in body  # no staff profile: no role to name


def test_the_favicon_is_our_own_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    page = client.get(reverse("login"))
    assert 'rel="icon" type="image/svg+xml"' in page.content.decode()
