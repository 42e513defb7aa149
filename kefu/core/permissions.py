"""API permission: signed-in staff (a staff profile) or a superuser, nobody else.

Finer rules (which role may take which action, which orders a user may see) live in the
services and selectors, so the UI, the API and scripts obey the same ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # DRF imports this module while it builds rest_framework.views
    from rest_framework.request import Request
    from rest_framework.views import APIView


def is_staff_member(user: Any) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = getattr(user, "staff", None)
    return profile is not None and profile.is_active


class IsStaffMember(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff_member(request.user)
