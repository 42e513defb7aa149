"""Project-wide views: language choice (kept on the staff profile), error pages, and a ping."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import error_body
from kefu.core.middleware import is_api_request, server_error_json
from kefu.core.requestid import current_request_id
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


def ping(request: HttpRequest) -> JsonResponse:
    """A trivial JSON view with no database access: the benchmark's ceiling (bench/README.md)."""
    return JsonResponse({"ok": True})


# Django's error handlers (config/urls.py): the API answers in its JSON error shape, pages in HTML.

def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(error_body("permission_denied", _("You do not have permission to perform this action.")),
                            status=403)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return server_error_json(request)
    return render(request, "500.html", {"request_id": current_request_id()}, status=500)
