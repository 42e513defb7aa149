"""The language switch: the choice is kept on the staff profile (per user) and in a cookie."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kefu.org.services import staff_set_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; for staff the choice is stored on the profile (per user)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    staff = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    if staff is not None:
        staff_set_language(staff=staff, language=language)
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
