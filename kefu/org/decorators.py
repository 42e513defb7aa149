"""The one guard of staff pages: signed in (else the login page) and active staff (else 403)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _


def staff_required(view=None, *, not_staff: str = "forbid"):
    """Decorate a view that acts for a staff member (`request.actor` is then an Actor).

    `not_staff="404"`: answer 404 instead of 403 for a signed-in non-staff user (for URLs whose
    existence must not leak, e.g. attachments)."""

    def decorate(view_func):
        @login_required
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not request.actor:
                if not_staff == "404":
                    raise Http404
                raise PermissionDenied(_("Only active staff may use these pages."))
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
