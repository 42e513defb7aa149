"""`Authorization: Bearer <key>` for the portal API, with portal tokens only.

A staff token (kefu.tokens) is not a portal token: here it is refused (401); and a portal token
is not in the staff tables, so the staff API refuses it the same way. The request's user is a
`PortalCustomer`, never a Django user: nothing staff-only can mistake it for staff.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission


class PortalCustomer:
    """The signed-in portal customer as DRF's `request.user`."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, account: Any) -> None:
        self.account = account

    def __str__(self) -> str:
        return f"portal:{self.account.pk}"


class PortalTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[PortalCustomer, str] | None:
        from kefu.portal.services import account_for_key

        auth = get_authorization_header(request).split()
        if not auth:
            return None
        if auth[0].lower() != b"bearer" or len(auth) != 2:
            raise exceptions.AuthenticationFailed(_("Send the portal token as: Authorization: Bearer <token>."))
        key = auth[1].decode(errors="replace")
        account = account_for_key(key)
        if account is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired portal token."))
        return PortalCustomer(account), key

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class IsPortalCustomer(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.user, PortalCustomer)


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """The portal's Bearer token in the OpenAPI description."""

    target_class = "kefu.portal.authentication.PortalTokenAuthentication"
    name = "portalBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A portal token from POST /api/v1/portal/auth/token/ (never a staff token)."}
