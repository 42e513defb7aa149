"""Login throttling (issue #15, django-axes): the login page and the token endpoint lock a user
name + address pair out after 5 failures, with a clear 429; attempts are audited; an
administrator unlocks."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog  # type: ignore[import-untyped]  # axes ships no types
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from kefu.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_EN = ("Too many failed sign-ins. Try again in 15 minutes, or ask an administrator to unlock your "
             "account.")


def _login(client, password, username="agent"):
    return client.post("/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_login_page_locks_out_after_five_failures_and_an_administrator_unlocks(cast):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with its error
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert LOCKED_EN.encode() in locked.content
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("agent", "10.0.0.7", 5)
    # the right password does not help while locked (and counts), and signs nobody in
    assert _login(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username="agent").count() >= 5
    # another user from the same address, and the same user from elsewhere, are not locked out
    assert _login(client, PASSWORD, username="supervisor").status_code == 302
    assert _login(Client(REMOTE_ADDR="10.0.0.8"), PASSWORD).status_code == 302
    call_command("axes_reset_username", "agent", verbosity=0)
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), PASSWORD).status_code == 302


def test_a_success_resets_the_count(cast):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="agent", failures_since_start__gt=0).exists()


def test_the_token_endpoint_counts_and_locks_out_too(cast):
    client = Client(REMOTE_ADDR="10.0.0.10")
    url = "/api/v1/auth/token/"
    for _ in range(4):
        response = client.post(url, {"username": "agent", "password": "wrong"}, content_type="application/json")
        assert response.status_code == 400
    locked = client.post(url, {"username": "agent", "password": PASSWORD}, content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE="en")
    # the fifth is a failure too (counted) only if wrong; with the right password after four
    # failures the pair is not yet locked
    assert locked.status_code == 200
    for _ in range(5):
        response = client.post(url, {"username": "agent", "password": "wrong"}, content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response.json() == {"code": "locked_out", "message": LOCKED_EN, "fields": {}}
    Token.objects.all().delete()
    again = client.post(url, {"username": "agent", "password": PASSWORD}, content_type="application/json")
    assert again.status_code == 429
    assert not Token.objects.exists()


def test_behind_the_proxy_the_address_nginx_saw_counts(cast, settings):
    from kefu.core.auth import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"}

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(Request()) == "203.0.113.5"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(Request()) == "127.0.0.1"
