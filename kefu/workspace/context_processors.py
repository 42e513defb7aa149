"""Values every page needs (`settings.TEMPLATES` names `kefu.workspace.context_processors.kefu`)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def kefu(request: HttpRequest) -> dict[str, Any]:
    """The language list, the current user's staff profile, the navbar entries the user may see
    (computed only when a page draws the navbar), and for administrators the years whose holiday
    data is missing (a banner until someone imports it)."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    staff = getattr(user, "staff", None) if authenticated else None
    return {"KEFU_LANGUAGES": settings.LANGUAGES, "current_staff": staff,
            "nav_items": SimpleLazyObject(lambda: _nav_items(request)) if authenticated else [],
            "missing_holiday_years": _missing_years(user) if authenticated else []}


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    from kefu.org.selectors import actor_for_user
    from kefu.workspace.navigation import nav_for

    match = getattr(request, "resolver_match", None)
    return nav_for(actor_for_user(getattr(request, "user", None)),
                   app_name=(match.app_name if match else "") or "", url_name=(match.url_name if match else "") or "")


def _missing_years(user: Any) -> list[int]:
    from kefu.org.choices import RoleCode
    from kefu.org.selectors import actor_for_user

    actor = actor_for_user(user)
    if actor is None or actor.role != RoleCode.ADMINISTRATOR:
        return []
    from kefu.sla.selectors import holiday_years_needed

    return holiday_years_needed()
