"""Login throttling (django-axes): who is counted, and what a locked-out client is told.

After `AXES_FAILURE_LIMIT` failed sign-ins for one user name from one address (the login page and
the API's token endpoint alike) that pair is locked out for `AXES_COOLOFF_TIME`; a success resets
the count. Every attempt is audited (axes' AccessAttempt / AccessFailureLog / AccessLog, visible in
the admin), and an administrator unlocks in the admin (delete the attempt) or with
`manage.py axes_reset_username <name>`. See docs/security.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.core.errors import error_body


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind our own proxy (KEFU_BEHIND_PROXY / KEFU_HTTPS) the last
    address nginx appended to X-Forwarded-For — the only one a client cannot forge; otherwise
    REMOTE_ADDR. Without this, every sign-in behind nginx would share nginx's address."""
    meta: dict[str, Any] = getattr(request, "META", {})
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    remote = meta.get("REMOTE_ADDR")
    return str(remote) if remote else None


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """429 with a clear message: JSON in the API's error shape, the lockout page for the UI."""
    message = _("Too many failed sign-ins. Try again in %(minutes)s minutes, or ask an administrator "
                "to unlock your account.") % {"minutes": cooloff_minutes()}
    path = getattr(request, "path_info", "") or ""
    if path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("locked_out", message), status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

