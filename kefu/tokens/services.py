"""Issuing and revoking API tokens (kefu.tokens.models.ApiToken); the only writers of tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.tokens.models import ApiToken
from kefu.tokens.selectors import may_manage_all_tokens


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`, valid for KEFU_API_TOKEN_DAYS; returns (token, key) — the key is
    never stored and cannot be shown again."""
    key = secrets.token_hex(20)  # 40 characters, as DRF's tokens were
    now = timezone.now()
    token = ApiToken.objects.create(user=user, key_hash=hash_key(key), prefix=key[:8], name=name[:100],
                                    created_at=now, expires_at=now + timedelta(days=settings.KEFU_API_TOKEN_DAYS))
    return token, key


@transaction.atomic
def token_revoke(*, token_id: int, actor_user: Any) -> ApiToken:
    """Revoke a token: its own user may, an administrator may revoke anyone's; any other → 404
    (no existence leak). Revoking twice keeps the first revocation."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.user_id != actor_user.pk and not may_manage_all_tokens(actor_user)):
        raise NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor_user
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_touch(token: ApiToken) -> None:
    """Record a use, at most once an hour (a write per request would cost every API call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
