"""Vendor pages beyond the scorecards: the vendors (a vendor user sees only their own), one
vendor with its contracts, its staff on site (qualifications and their expiry), the month's
attendance summary and the forms that register a worker, add a qualification and record a
day's attendance. Views call services and selectors only."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.masking import phone_for
from kefu.core.pages import add_service_errors, render_list
from kefu.org.decorators import staff_required
from kefu.vendors import selectors, staff
from kefu.vendors.forms import AttendanceForm, QualificationForm, WorkerForm
from kefu.vendors.models import Vendor


def _vendor(request: HttpRequest, pk: int) -> Vendor:
    try:
        vendor: Vendor = selectors.get_for_actor(selectors.vendor_list_for_actor(actor=request.actor),  # type: ignore[attr-defined]
                                                 pk, _("Vendor not found."))
    except NotFound:
        raise Http404 from None
    return vendor


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (value or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return today.replace(day=1)


@staff_required
@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, queryset=selectors.vendor_list_for_actor(actor=request.actor),  # type: ignore[attr-defined]
                       name="vendors", page_template="vendors/vendor_list.html",
                       partial_template="vendors/vendor_list.html")


def _detail(request: HttpRequest, vendor: Vendor, *, status: int = 200, **forms_: Any) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    month = _month(request.GET.get("month"))
    today = timezone.localdate()
    workers = list(staff.worker_list_for_actor(actor=actor).filter(vendor=vendor).order_by("left_on", "name", "id"))
    for worker in workers:
        worker.shown_phone = phone_for(request.user, worker.phone)  # type: ignore[attr-defined]  # for the template
        states = [(q, staff.qualification_state(q, today)) for q in worker.qualifications.all()]
        worker.quals = states  # type: ignore[attr-defined]
    on_site = [w for w in workers if w.left_on is None or w.left_on >= today]
    may_keep = actor.role in staff.STAFF_KEEPERS
    return render(request, "vendors/vendor_detail.html", {
        "vendor": vendor, "contracts": vendor.contracts.order_by("-starts_on"), "workers": workers,
        "summary": staff.attendance_summary(vendor=vendor, month=month), "month": month,
        "may_keep": may_keep, "today": today,
        "worker_form": forms_.get("worker_form") or WorkerForm(initial={"started_on": today}, auto_id="id_worker_%s"),
        "attendance_form": forms_.get("attendance_form") or AttendanceForm(
            initial={"day": today}, workers=on_site, auto_id="id_att_%s"),
        "error_message": forms_.get("error_message"),
    }, status=status)


@staff_required
@require_GET
def vendor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _vendor(request, pk))


@staff_required
@require_POST
def worker_register(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = _vendor(request, pk)
    form = WorkerForm(request.POST, auto_id="id_worker_%s")
    if not form.is_valid():
        return _detail(request, vendor, status=400, worker_form=form, error_message=_("Please correct the errors below."))
    try:
        staff.worker_register(actor_user=request.user, vendor=vendor, **form.service_data())
    except ApplicationError as error:
        add_service_errors(form, error)
        return _detail(request, vendor, status=error.status_code, worker_form=form, error_message=error.message)
    messages.success(request, _("The worker is registered."))
    return redirect(reverse("vendors:vendor", args=[vendor.pk]) + "#staff")


@staff_required
@require_POST
def qualification_add(request: HttpRequest, pk: int, worker: int) -> HttpResponse:
    vendor = _vendor(request, pk)
    try:
        found = staff.worker_get_for_actor(actor=request.actor, pk=worker)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    if found.vendor_id != vendor.pk:
        raise Http404
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            staff.qualification_add(actor_user=request.user, worker=found, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The qualification is added."))
    else:
        messages.error(request, _("Please correct the errors below.") + " " + " ".join(
            str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("vendors:vendor", args=[vendor.pk]) + "#staff")


@staff_required
@require_POST
def attendance_record(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = _vendor(request, pk)
    today = timezone.localdate()
    on_site = [w for w in staff.worker_list_for_actor(actor=request.actor).filter(vendor=vendor)  # type: ignore[attr-defined]
               if w.left_on is None or w.left_on >= today]
    form = AttendanceForm(request.POST, workers=on_site, auto_id="id_att_%s")
    if not form.is_valid():
        return _detail(request, vendor, status=400, attendance_form=form,
                       error_message=_("Please correct the errors below."))
    try:
        count = staff.attendance_record(actor_user=request.user, vendor=vendor, day=form.cleaned_data["day"],
                                        entries=form.entries())
    except ApplicationError as error:
        add_service_errors(form, error)
        return _detail(request, vendor, status=error.status_code, attendance_form=form, error_message=error.message)
    messages.success(request, _("Attendance recorded for %(count)s workers.") % {"count": count})
    day = form.cleaned_data["day"]
    return redirect(reverse("vendors:vendor", args=[vendor.pk]) + f"?month={day:%Y-%m}#attendance")
