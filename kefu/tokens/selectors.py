"""Reading API tokens: which a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kefu.org.choices import RoleCode
from kefu.org.selectors import actor_for_user
from kefu.tokens.models import ApiToken


def may_manage_all_tokens(user: Any) -> bool:
    """Administrators (and superusers) list and revoke everyone's tokens."""
    if getattr(user, "is_superuser", False):
        return True
    actor = actor_for_user(user)
    return actor is not None and actor.role == RoleCode.ADMINISTRATOR


def tokens_for(*, user: Any, user_id: int | None = None) -> QuerySet[ApiToken]:
    """The user's own tokens; an administrator's view is everyone's (or `user_id`'s)."""
    qs = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if may_manage_all_tokens(user):
        return qs.filter(user_id=user_id) if user_id else qs
    return qs.filter(user_id=user.pk)
