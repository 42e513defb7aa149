"""Cross-cutting request middleware: server timing and the signed-in user's language."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
