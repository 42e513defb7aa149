"""API permission: signed-in active staff (a staff profile) or a superuser, nobody else.

It asks `actor_for_user`, the one place that decides who is staff, so the permission check and
`request.actor` share the actor resolved once for the request (one query, or none when the
token authentication already joined the profile). Finer rules (which role may take which
action, which orders a user may see) live in the services and selectors, so the UI, the API and
scripts obey the same ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # DRF imports this module while it builds rest_framework.views
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsStaffMember(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        # Imported here: DRF loads this class before the apps (and their models) are ready.
        from kefu.org.selectors import actor_for_user

        return actor_for_user(request.user) is not None
