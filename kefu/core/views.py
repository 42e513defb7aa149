"""Project-wide views: error pages and a ping (the language switch, kept on the staff profile, is
`kefu.org.views.set_language`)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from kefu.core.errors import error_body
from kefu.core.middleware import is_api_request, server_error_json
from kefu.core.requestid import current_request_id


def ping(request: HttpRequest) -> JsonResponse:
    """A trivial JSON view with no database access: the benchmark's ceiling (bench/README.md)."""
    return JsonResponse({"ok": True})


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Kefu's own icon (static/img/favicon.svg), for browsers that ask /favicon.ico."""
    return HttpResponseRedirect(static("img/favicon.svg"))


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
    # Say why: the message the view refused with (PermissionDenied("...")), else a general reason;
    # and whom the page refused (the signed-in person's role), so a refusal is never a blank page.
    reason = str(exception) if exception is not None and str(exception) else ""
    actor = getattr(request, "actor", None)
    staff = getattr(actor, "staff", None) if actor else None
    role = str(staff.role) if staff is not None else ""
    return render(request, "403.html", {"reason": reason, "role_name": role}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return server_error_json(request)
    return render(request, "500.html", {"request_id": current_request_id()}, status=500)
