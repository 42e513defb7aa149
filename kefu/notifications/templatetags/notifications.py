"""`{% load notifications %}`: the signed-in user's unread count for the navbar bell."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """Unread notices of the signed-in user (one COUNT on a partial index), cached per request."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached: int | None = getattr(request, "_kefu_unread", None)
    if cached is None:
        from kefu.notifications.selectors import unread_count

        cached = unread_count(user=user)
        request._kefu_unread = cached
    return cached


