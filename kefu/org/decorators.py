"""The one guard of staff pages: signed in (else the login page) and active staff (else 403)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast, overload

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


@overload
def staff_required(view: View, *, not_staff: str = "forbid") -> View: ...
@overload
def staff_required(view: None = None, *, not_staff: str = "forbid") -> Callable[[View], View]: ...


def staff_required(view: View | None = None, *, not_staff: str = "forbid") -> View | Callable[[View], View]:
    """Decorate a view that acts for a staff member (`request.actor` is then an Actor).

    `not_staff="404"`: answer 404 instead of 403 for a signed-in non-staff user (for URLs whose
    existence must not leak, e.g. attachments)."""

    def decorate(view_func: View) -> View:
        @login_required
        @wraps(view_func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.actor:  # type: ignore[attr-defined]  # set by kefu.org.middleware.ActorMiddleware
                if not_staff == "404":
                    raise Http404
                raise PermissionDenied(_("Only active staff may use these pages."))
            return view_func(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorate(view) if view is not None else decorate
