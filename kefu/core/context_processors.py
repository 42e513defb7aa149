from typing import Any

from django.conf import settings
from django.http import HttpRequest


def kefu(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: the language list, the current user's staff profile, and for
    administrators the years whose holiday data is missing (a banner until someone imports it)."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    staff = getattr(user, "staff", None) if authenticated else None
    return {"KEFU_LANGUAGES": settings.LANGUAGES, "current_staff": staff,
            "missing_holiday_years": _missing_years(user) if authenticated else []}


def _missing_years(user: Any) -> list[int]:
    from kefu.org.choices import RoleCode
    from kefu.org.selectors import actor_for_user

    actor = actor_for_user(user)
    if actor is None or actor.role != RoleCode.ADMINISTRATOR:
        return []
    from kefu.sla.selectors import holiday_years_needed

    return holiday_years_needed()
