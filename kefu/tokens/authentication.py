"""`Authorization: Token <key>` (or `Bearer <key>`) for expiring, revocable tokens.

Old DRF tokens (rest_framework.authtoken) keep working until KEFU_API_TOKEN_DAYS after they were
created, so integrations do not break on the day of the upgrade; their responses carry
`Deprecation: true` and `Sunset: <date>` (kefu.core.middleware.SecurityHeadersMiddleware) to ask
for a new token from `POST /api/v1/auth/token/`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.request import Request

# The token's user with the staff profile, role and department the actor is built from
# (kefu.org.selectors.actor_for_user): one query resolves who is acting (issue #14).
_ACTOR_ROWS = ("user__staff__role", "user__staff__department")

# Models and services are imported inside the methods: DRF imports this class while it loads its
# own APIView, before the apps (and kefu.core.errors, which imports DRF) are ready.


class ExpiringTokenAuthentication(TokenAuthentication):
    """Token authentication against ApiToken (hashed, expiring, revocable), then legacy tokens."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        from rest_framework.authtoken.models import Token

        auth = get_authorization_header(request).split()
        if auth and auth[0].lower() == b"bearer" and len(auth) == 2:
            result: tuple[Any, Any] | None = self._credentials(request, auth[1].decode(errors="replace"))
        else:
            result = super().authenticate(request)
        if result is not None and isinstance(result[1], Token):
            request._request.kefu_legacy_token_sunset = result[1].created + timedelta(  # type: ignore[attr-defined]
                days=settings.KEFU_API_TOKEN_DAYS)
        return result

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        return self._credentials(None, key)

    def _credentials(self, request: Request | None, key: str) -> tuple[Any, Any]:
        from rest_framework.authtoken.models import Token

        from kefu.tokens.models import ApiToken
        from kefu.tokens.services import hash_key, token_touch

        now = timezone.now()
        token = ApiToken.objects.select_related(*_ACTOR_ROWS).filter(key_hash=hash_key(key)).first()
        if token is not None:
            if token.revoked_at is not None:
                raise exceptions.AuthenticationFailed(_("This token has been revoked."))
            if token.expires_at <= now:
                raise exceptions.AuthenticationFailed(_("This token has expired."))
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
            token_touch(token)
            return token.user, token
        legacy = Token.objects.select_related(*_ACTOR_ROWS).filter(key=key).first()
        if legacy is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if legacy.created + timedelta(days=settings.KEFU_API_TOKEN_DAYS) <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not legacy.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return legacy.user, legacy
