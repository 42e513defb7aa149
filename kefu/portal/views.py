"""The portal's pages under /m/ (phones, WeChat's in-app browser): sign-in with an SMS code, home,
report, an order's timeline with messages, cancel and confirm, and a building's QR entry.

Signed in by the portal's own cookie (KEFU_PORTAL_COOKIE, path /m/), never the staff session:
a staff member signed in on the same phone is nobody here, and a portal customer is nobody on
the staff pages. Every rule lives in the services and selectors; these views only translate
HTTP to calls and refusals to messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.auth import client_ip
from kefu.core.errors import ApplicationError
from kefu.customers.models import Building
from kefu.org.decorators import staff_required
from kefu.portal import selectors, services
from kefu.portal.models import PortalAccount
from kefu.workorders.models import WorkOrder

QR_SALT = "kefu.portal.building"


def _cookie_key(request: HttpRequest) -> str:
    return request.COOKIES.get(settings.KEFU_PORTAL_COOKIE, "")


def portal_account(request: HttpRequest) -> PortalAccount | None:
    return services.account_for_key(_cookie_key(request))


def _signed_in(response: HttpResponse, key: str) -> HttpResponse:
    response.set_cookie(settings.KEFU_PORTAL_COOKIE, key, max_age=settings.KEFU_PORTAL_TOKEN_DAYS * 86400,
                        path="/m/", httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


def portal_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The portal's one guard: the signed-in customer as `request.portal_account`, else the
    sign-in page (then back here)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        account = portal_account(request)
        if account is None:
            return HttpResponseRedirect(reverse("portal:login") + "?next=" + quote(request.get_full_path()))
        request.portal_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _order_or_404(request: HttpRequest, pk: int) -> WorkOrder:
    order = selectors.order_get(account=request.portal_account, pk=pk)  # type: ignore[attr-defined]
    if order is None:
        raise Http404(_("Work order not found."))
    return order


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and value.startswith("/m/") and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return reverse("portal:home")


def _error(error: ApplicationError) -> dict[str, Any]:
    return {"error": error.message, "fields": error.fields}


# --- sign-in --------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: the number (a code is sent); step 2: the code and the personal-data notice."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    context: dict[str, Any] = {"next": next_url, "phone": request.POST.get("phone", ""), "step": "phone"}
    if request.method == "GET":
        return render(request, "portal/login.html", context)
    try:
        if request.POST.get("action") == "token":
            context["step"] = "code"
            if request.POST.get("consent") != "on":
                return render(request, "portal/login.html", {
                    **context, "error": _("Please read and accept the personal-data notice."),
                    "fields": {"consent": [_("Please read and accept the personal-data notice.")]}}, status=400)
            _account, key = services.token_for_code(phone=request.POST.get("phone"), code=request.POST.get("code"),
                                                    ip=client_ip(request) or "", consent=True)
            return _signed_in(HttpResponseRedirect(next_url), key)
        services.code_request(phone=request.POST.get("phone"), ip=client_ip(request) or "")
        context.update(step="code", sent=True)
        return render(request, "portal/login.html", context)
    except ApplicationError as error:
        return render(request, "portal/login.html", {**context, **_error(error)}, status=error.status_code)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    services.token_revoke(key=_cookie_key(request))
    response = HttpResponseRedirect(reverse("portal:login"))
    response.delete_cookie(settings.KEFU_PORTAL_COOKIE, path="/m/")
    return response


# --- pages ----------------------------------------------------------------------------------------

@portal_required
def home(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    return render(request, "portal/home.html", {
        "account": account, "units": selectors.units_for(account=account),
        "orders": selectors.orders_for(account=account)[:30], "notices": selectors.notices_for(account=account)[:10]})


def _report_context(account: PortalAccount, kind: str) -> dict[str, Any]:
    return {"types": [(t.value, t.label) for t in services.REPORT_TYPES], "kind": kind,
            "units": selectors.units_for(account=account), "categories": selectors.categories_for(type=kind),
            "slots": selectors.slot_choices(), "max_photos": services.MAX_PHOTOS}


@portal_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    kind = request.POST.get("type") or request.GET.get("type") or "repair"
    kind = kind if kind in services.REPORT_TYPES else "repair"
    context = _report_context(account, kind)
    if request.method == "GET":
        return render(request, "portal/report.html", context)
    try:
        order = services.portal_report(account=account, type=request.POST.get("type"), unit=request.POST.get("unit"),
                                       category=request.POST.get("category"), text=request.POST.get("text"),
                                       photos=request.FILES.getlist("photos"), slots=request.POST.getlist("slots"))
    except ApplicationError as error:
        return render(request, "portal/report.html", {**context, **_error(error), "values": request.POST},
                      status=error.status_code)
    return HttpResponseRedirect(reverse("portal:order", args=[order.pk]) + "?sent=1")


def _order_context(order: WorkOrder) -> dict[str, Any]:
    return {"order": order, "steps": selectors.timeline(order=order), "confirmable": selectors.confirmable(order),
            "attachments": list(order.attachments.order_by("id")), "portal_request": selectors.portal_request_of(order)}


@portal_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    return render(request, "portal/order.html", {**_order_context(order), "sent": request.GET.get("sent") == "1"})


def _order_action(request: HttpRequest, pk: int, run: Callable[[WorkOrder], Any]) -> HttpResponse:
    order = _order_or_404(request, pk)
    try:
        run(order)
    except ApplicationError as error:
        order.refresh_from_db()
        return render(request, "portal/order.html", {**_order_context(order), **_error(error)},
                      status=error.status_code)
    return HttpResponseRedirect(reverse("portal:order", args=[order.pk]))


@portal_required
@require_POST
def order_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, lambda order: services.portal_message(
        account=request.portal_account, order=order, text=request.POST.get("text")))  # type: ignore[attr-defined]


@portal_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    version = request.POST.get("version", "")
    return _order_action(request, pk, lambda order: services.portal_cancel(
        account=request.portal_account, order=order, reason=request.POST.get("reason", ""),  # type: ignore[attr-defined]
        expected_version=int(version) if version.isdigit() else None))


@portal_required
@require_http_methods(["GET", "POST"])
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    order = _order_or_404(request, pk)
    if request.method == "GET":
        return render(request, "portal/confirm.html", {"order": order, "confirmable": selectors.confirmable(order)})
    solved = request.POST.get("solved")
    try:
        confirmation = services.portal_confirm(
            account=account, order=order, solved={"yes": True, "no": False}.get(solved or "", solved),
            comment=request.POST.get("comment", ""), signature=request.POST.get("signature", ""))
    except ApplicationError as error:
        return render(request, "portal/confirm.html", {"order": order, "confirmable": selectors.confirmable(order),
                                                       "values": request.POST, **_error(error)},
                      status=error.status_code)
    if confirmation.solved:
        token = services.rating_link_for(account=account, order=order)
        if token:
            return HttpResponseRedirect(reverse("callbacks:rate", args=[token]))
    return HttpResponseRedirect(reverse("portal:order", args=[order.pk]))


@portal_required
def order_photo(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = selectors.attachment_get(account=request.portal_account, order_pk=pk,  # type: ignore[attr-defined]
                                          pk=attachment_pk)
    if attachment is None:
        raise Http404(_("Attachment not found."))
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)


@portal_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(account=request.portal_account, pk=pk)  # type: ignore[attr-defined]
    if notice is None:
        raise Http404(_("Notice not found."))
    return render(request, "portal/notice.html", {"notice": notice})


# --- a building's QR code ---------------------------------------------------------------------------

def qr_token(building: Building) -> str:
    """The signed token printed in a building's QR code (`/m/q/<token>/`)."""
    # No timestamp: the same building always prints the same code (codes never expire; rotating
    # the secret key invalidates them all).
    return signing.Signer(salt=QR_SALT).sign_object(building.pk)


def qr_url(building: Building) -> str:
    return settings.KEFU_PUBLIC_BASE_URL + reverse("portal:qr", args=[qr_token(building)])


def _building(token: str) -> Building:
    try:
        pk = signing.Signer(salt=QR_SALT).unsign_object(token)
    except signing.BadSignature:
        raise Http404(_("This QR code is not valid.")) from None
    building = Building.objects.select_related("site").filter(pk=pk).first() if isinstance(pk, int) else None
    if building is None:
        raise Http404(_("This QR code is not valid."))
    return building


@require_http_methods(["GET", "POST"])
def qr_entry(request: HttpRequest, token: str) -> HttpResponse:
    """A building's QR code: the site and building chosen; anyone may report a public-area
    problem, with a phone number verified by an SMS code (the sign-in's codes and limits)."""
    building = _building(token)
    kind = request.POST.get("type") or "repair"
    kind = kind if kind in services.REPORT_TYPES else "repair"
    context: dict[str, Any] = {"building": building, "token": token, "kind": kind, "values": request.POST,
                               "types": [(t.value, t.label) for t in services.REPORT_TYPES],
                               "categories": selectors.categories_for(type=kind), "step": "phone"}
    if request.method == "GET":
        return render(request, "portal/qr.html", context)
    try:
        if request.POST.get("action") != "report":
            services.code_request(phone=request.POST.get("phone"), ip=client_ip(request) or "")
            return render(request, "portal/qr.html", {**context, "step": "report", "sent": True})
        context["step"] = "report"
        if request.POST.get("consent") != "on":
            return render(request, "portal/qr.html", {
                **context, "error": _("Please read and accept the personal-data notice."),
                "fields": {"consent": [_("Please read and accept the personal-data notice.")]}}, status=400)
        # The report is checked before the code is spent, so a typo does not cost a code.
        services.check_report(type=request.POST.get("type"), category=request.POST.get("category"),
                              text=request.POST.get("text"), photos=request.FILES.getlist("photos"))
        account, key = services.token_for_code(phone=request.POST.get("phone"), code=request.POST.get("code"),
                                               ip=client_ip(request) or "", consent=True)
        order = services.portal_report(account=account, type=request.POST.get("type"),
                                       category=request.POST.get("category"), text=request.POST.get("text"),
                                       photos=request.FILES.getlist("photos"), building=building)
    except ApplicationError as error:
        return render(request, "portal/qr.html", {**context, **_error(error)}, status=error.status_code)
    return _signed_in(HttpResponseRedirect(reverse("portal:order", args=[order.pk]) + "?sent=1"), key)


@staff_required
def qr_codes(request: HttpRequest) -> HttpResponse:
    """For the center: one QR code per building, to print and post in its lobby or lifts."""
    buildings = Building.objects.select_related("site").order_by("site__code", "code")[:500]
    codes = [{"building": b, "url": qr_url(b), "svg": segno.make(qr_url(b), error="m").svg_inline(scale=4)}
             for b in buildings]
    return render(request, "portal/qr_codes.html", {"codes": codes})
