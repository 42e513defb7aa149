"""Cross-cutting request middleware: errors as the client expects them, server timing and the
signed-in user's language (request ids: kefu.core.requestid)."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _

from kefu.core.db import is_lock_conflict
from kefu.core.errors import error_body
from kefu.core.requestid import current_request_id

logger = logging.getLogger("kefu.request")

def is_api_request(request: HttpRequest) -> bool:
    """API requests get JSON errors; pages keep their HTML error pages."""
    return request.path_info.startswith("/api/")


# Exceptions Django itself turns into 4xx (its handlers, made JSON-aware in kefu.core.views).
_CLIENT_ERRORS = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


class ErrorMiddleware:
    """What a view's unexpected exception becomes.

    - A lock conflict the retry did not absorb (kefu.core.db): 409 `lock_conflict` — JSON for the
      API, the conflict page for the UI — never a 500 (ADR 0002).
    - Any other unexpected exception of an API view: logged with its request id and answered as a
      JSON 500 in the API's error shape, with no stack trace, in DEBUG too. Pages are left to
      Django (its 500 page, or the debug page in DEBUG).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_lock_conflict(exception):
            logger.warning("lock conflict answered 409: %s", exception)
            message = _("Someone else changed this record at the same moment. Reload it and try again.")
            if is_api_request(request):
                return JsonResponse(error_body("lock_conflict", message), status=409)
            return render(request, "409.html", {"error_message": message}, status=409)
        if not is_api_request(request) or isinstance(exception, _CLIENT_ERRORS):
            return None
        logger.error("unexpected error in %s %s", request.method, request.path, exc_info=exception)
        return server_error_json(request)


def server_error_json(request: HttpRequest) -> JsonResponse:
    """The API's 500: the error shape, naming the request id to quote to the administrator."""
    request_id = getattr(request, "request_id", None) or current_request_id()
    message = _("Something went wrong on our side. The error has been logged under request id %(id)s.") % {
        "id": request_id}
    return JsonResponse(error_body("server_error", message), status=500)


class SecurityHeadersMiddleware:
    """Headers Django and django-csp do not set: Permissions-Policy (KEFU_PERMISSIONS_POLICY), and
    Deprecation/Sunset on answers to requests made with an old API token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = settings.KEFU_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy:
            response.setdefault("Permissions-Policy", self.permissions_policy)
        sunset = getattr(request, "kefu_legacy_token_sunset", None)
        if sunset is not None:  # an old API token (kefu.tokens.authentication): ask for a new one
            response["Deprecation"] = "true"
            response["Sunset"] = http_date(sunset.timestamp())
        return response


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>` to every response.

    The benchmark reads it to separate server time from network and client overhead; browsers
    show it in their developer tools. It costs two clock reads.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response


class UserLanguageMiddleware:
    """Activates the language stored on the staff profile (chosen per user, kept across devices).

    Runs after LocaleMiddleware: an explicit profile choice beats the browser's Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "staff", None)
            language = getattr(profile, "language", "") if profile else ""
            if language in self.languages:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
