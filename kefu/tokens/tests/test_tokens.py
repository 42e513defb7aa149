"""API tokens (issue #15): a new, expiring token per sign-in, listed and revoked by their user or
an administrator, revoked by logout; old DRF tokens keep working until expiry, with a
Deprecation header."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.org.tests.factories import PASSWORD
from kefu.tokens.models import ApiToken
from kefu.tokens.services import hash_key, token_issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


def _sign_in(username="agent", **extra):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _client(key, keyword="Token"):
    return APIClient(HTTP_AUTHORIZATION=f"{keyword} {key}", HTTP_ACCEPT_LANGUAGE="en")


def test_each_sign_in_issues_a_new_expiring_token(cast, settings):
    first, second = _sign_in(name="对接系统"), _sign_in()
    assert first["token"] != second["token"] and len(first["token"]) == 40
    tokens = list(ApiToken.objects.order_by("id"))
    assert [t.key_hash for t in tokens] == [hash_key(first["token"]), hash_key(second["token"])]
    assert first["token"] not in {t.key_hash for t in tokens}  # only the hash is stored
    assert tokens[0].name == "对接系统" and tokens[0].prefix == first["token"][:8]
    assert tokens[0].expires_at - tokens[0].created_at == timedelta(days=settings.KEFU_API_TOKEN_DAYS) == timedelta(
        days=30)
    for key in (first["token"], second["token"]):
        assert _client(key).get(URL).status_code == 200
    assert _client(first["token"], "Bearer").get(URL).status_code == 200
    assert ApiToken.objects.get(pk=tokens[0].pk).last_used_at is not None


def test_an_expired_token_is_refused(cast):
    key = _sign_in()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _client(key).get(URL)
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "This token has expired.", "fields": {}}


def test_the_user_lists_and_revokes_their_own_tokens(cast):
    mine = _sign_in()["token"]
    other, other_key = token_issue(user=cast["supervisor"])
    client = _client(mine)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert [t["prefix"] for t in listed["results"]] == [mine[:8]]
    assert set(listed["results"][0]) == {"id", "prefix", "name", "user", "username", "created_at", "expires_at",
                                         "last_used_at", "revoked_at"}
    # someone else's token: not visible, not revocable (404), untouched
    assert client.delete(f"/api/v1/auth/tokens/{other.pk}/").status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    own = ApiToken.objects.get(key_hash=hash_key(mine))
    assert client.delete(f"/api/v1/auth/tokens/{own.pk}/").status_code == 204
    own.refresh_from_db()
    assert own.revoked_at is not None and own.revoked_by == cast["agent"]
    response = client.get(URL)
    assert (response.status_code, response.json()["message"]) == (401, "This token has been revoked.")
    assert _client(other_key).get(URL).status_code == 200


def test_an_administrator_lists_and_revokes_anyones(cast):
    agent_token, agent_key = token_issue(user=cast["agent"])
    admin = APIClient()
    admin.force_authenticate(user=cast["administrator"])
    listed = admin.get("/api/v1/auth/tokens/", {"user": cast["agent"].pk}).json()
    assert [t["id"] for t in listed["results"]] == [agent_token.pk]
    assert admin.get("/api/v1/auth/tokens/", {"user": "x"}).status_code == 400
    assert admin.delete(f"/api/v1/auth/tokens/{agent_token.pk}/").status_code == 204
    assert _client(agent_key).get(URL).status_code == 401


def test_logout_revokes_the_token_in_use(cast):
    key, other = _sign_in()["token"], _sign_in()["token"]
    assert _client(key).post("/api/v1/auth/logout/").status_code == 204
    assert _client(key).get(URL).status_code == 401
    assert _client(other).get(URL).status_code == 200  # the other device keeps its token


def test_old_tokens_work_until_expiry_with_a_deprecation_header(cast):
    legacy = Token.objects.create(user=cast["agent"])
    response = _client(legacy.key).get(URL)
    assert response.status_code == 200
    assert response["Deprecation"] == "true"
    assert response["Sunset"] == http_date((legacy.created + timedelta(days=30)).timestamp())
    assert "Deprecation" not in _client(_sign_in()["token"]).get(URL)
    Token.objects.filter(pk=legacy.pk).update(created=timezone.now() - timedelta(days=31))
    assert _client(legacy.key).get(URL).status_code == 401


def test_a_wrong_token_is_refused(cast):
    response = _client("0" * 40).get(URL)
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
