"""Project-wide views: error pages and a ping (the language switch, kept on the staff profile, is
`kefu.org.views.set_language`)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def ping(request: HttpRequest) -> JsonResponse:
    """A trivial JSON view with no database access: the benchmark's ceiling (bench/README.md)."""
    return JsonResponse({"ok": True})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
