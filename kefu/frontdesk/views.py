"""Front desk pages (htmx + Bootstrap): release passes (list, the desk's form, the pass with its
QR code and actions), the guard's gate page (a phone scans the QR code and records the exit) and
the arrears list with its ageing. Views parse input and call services and selectors only."""

from __future__ import annotations

from typing import Any

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import ApplicationError
from kefu.core.pages import add_service_errors, paginate, render_list, take_workflow_action
from kefu.frontdesk import selectors, services, workflow
from kefu.frontdesk.choices import (
    PASS_STATUS_COLORS,
    REGISTER_STATUS_COLORS,
    REPEAT_OFFENDER_COUNT,
    DunningAction,
    DunningStatus,
    LoanAction,
    ParcelAction,
    PassAction,
    PassStatus,
    RenovationAction,
    RenovationStatus,
    ViolationAction,
    VisitAction,
    VisitStatus,
)
from kefu.frontdesk.forms import (
    ACTION_FORMS,
    REGISTER_ACTION_FORMS,
    DunningRoundForm,
    ItemLoanForm,
    KeyLoanForm,
    ParcelForm,
    ReleasePassForm,
    RenovationForm,
    ViolationForm,
    VisitorForm,
    parse_items,
)
from kefu.frontdesk.models import ReleasePass
from kefu.org.decorators import staff_required


def _pass_or_404(request: HttpRequest, pk: Any) -> ReleasePass:
    found = selectors.pass_get(actor=request.actor, pk=pk)  # type: ignore[attr-defined]  # set by the middleware
    if found is None:
        raise Http404
    return found


@staff_required
@require_GET
def pass_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.pass_list(actor=request.actor)  # type: ignore[attr-defined]  # set by the middleware
    wanted = request.GET.get("status")
    if wanted in PassStatus.values:
        qs = qs.filter(status=wanted)
    return render_list(request, queryset=qs, page_template="frontdesk/pass_list.html",
                       partial_template="frontdesk/partials/pass_results.html", name="passes",
                       context={"status_colors": PASS_STATUS_COLORS},
                       full_context=lambda: {"statuses": PassStatus.choices,
                                             "may_create": request.actor.role in workflow.DESK_ROLES})  # type: ignore[attr-defined]  # set by the middleware


def _create_context(request: HttpRequest, form: ReleasePassForm, **extra: Any) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]  # set by the middleware
    unit = selectors.unit_by_code(actor=actor, code=str(form["unit_code"].value() or ""))
    return {"form": form, "occupants": selectors.occupants(actor=actor, unit=unit) if unit else [],
            "selected_requester": str(form["requester"].value() or ""),
            "may_override": actor.role in workflow.OVERRIDE_ROLES, **extra}


@staff_required
@require_http_methods(["GET", "POST"])
def pass_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ReleasePassForm(initial={"unit_code": request.GET.get("unit", "")})
        return render(request, "frontdesk/pass_create.html", _create_context(request, form))
    form = ReleasePassForm(request.POST)
    if not form.is_valid():
        return render(request, "frontdesk/pass_create.html",
                      _create_context(request, form, error_message=_("Please correct the errors below.")), status=400)
    data = form.cleaned_data
    unit = selectors.unit_by_code(actor=request.actor, code=data["unit_code"])  # type: ignore[attr-defined]  # set by the middleware
    try:
        if unit is None:
            from kefu.core.errors import field_error
            raise field_error("unit_code", _("Unknown unit."))
        made = services.release_pass_create(
            actor_user=request.user, unit=unit, requester=data["requester"], items=parse_items(data["items"]),
            moving_date=data["moving_date"], vehicle=data["vehicle"], carrier=data["carrier"],
            is_move_out=data["is_move_out"], override_reason=data["override_reason"])
    except ApplicationError as error:
        if "unit" in error.fields:
            error.fields["unit_code"] = error.fields.pop("unit")
        add_service_errors(form, error)
        return render(request, "frontdesk/pass_create.html",
                      _create_context(request, form, error_message=error.message, error_code=error.code),
                      status=error.status_code)
    from django.contrib import messages
    messages.success(request, _("Release pass %(number)s has been requested.") % {"number": made.number})
    return redirect("frontdesk:pass", pk=made.pk)


@staff_required
@require_GET
def occupant_options(request: HttpRequest) -> HttpResponse:
    """htmx: the requester <select> for the unit code typed."""
    unit = selectors.unit_by_code(actor=request.actor, code=request.GET.get("unit_code", ""))  # type: ignore[attr-defined]  # set by the middleware
    return render(request, "frontdesk/partials/occupant_select.html", {
        "occupants": selectors.occupants(actor=request.actor, unit=unit) if unit else [],  # type: ignore[attr-defined]  # set by the middleware
        "unit": unit, "looked_up": bool(request.GET.get("unit_code")),
        "selected_requester": request.GET.get("requester", ""), "optional": request.GET.get("optional") == "1"})


def _qr_svg(request: HttpRequest, release_pass: ReleasePass) -> str:
    url = request.build_absolute_uri(reverse("frontdesk:scan", args=[release_pass.token]))
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000")


def _detail_context(request: HttpRequest, release_pass: ReleasePass, *, failed_action: str = "",
                    failed_form: Any = None, error_message: str = "") -> dict[str, Any]:
    actions = [a for a in selectors.pass_actions(actor=request.actor, release_pass=release_pass)  # type: ignore[attr-defined]  # set by the middleware
               if a != PassAction.SCAN]
    forms = []
    for name in actions:
        form = failed_form if name == failed_action and failed_form is not None else ACTION_FORMS[name](
            initial={"version": release_pass.version}, auto_id=f"id_{name}_%s")
        forms.append((name, PassAction(name).label, form))
    shows_qr = release_pass.status in (PassStatus.APPROVED, PassStatus.USED)
    return {"p": release_pass, "events": list(selectors.pass_events(release_pass=release_pass)),
            "action_forms": forms, "status_colors": PASS_STATUS_COLORS, "error_message": error_message,
            "failed_action": failed_action, "qr_svg": _qr_svg(request, release_pass) if shows_qr else "",
            "may_override": request.actor.role in workflow.OVERRIDE_ROLES}  # type: ignore[attr-defined]  # set by the middleware


@staff_required
@require_GET
def pass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "frontdesk/pass_detail.html", _detail_context(request, _pass_or_404(request, pk)))


@staff_required
@require_POST
def pass_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    release_pass = _pass_or_404(request, pk)
    if action == PassAction.SCAN:
        raise Http404  # the gate page records exits
    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=str(PassAction(action).label) if action in PassAction.values else action,
        run=lambda data, form: services.release_pass_transition(
            release_pass=release_pass, action=action, actor_user=request.user,
            expected_version=form.cleaned_data["version"], **data),
        success_url=reverse("frontdesk:pass", args=[release_pass.pk]),
        failure=lambda form, message, status: render(request, "frontdesk/pass_detail.html", _detail_context(
            request, release_pass, failed_action=action, failed_form=form, error_message=message), status=status))


@staff_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """The guard's page: what the pass lets out, and one button that records the exit. A pass
    already used shows when (a second scan is refused)."""
    release_pass = selectors.pass_by_token(actor=request.actor, token=token)  # type: ignore[attr-defined]  # set by the middleware
    if release_pass is None:
        raise Http404
    context: dict[str, Any] = {"p": release_pass, "status_colors": PASS_STATUS_COLORS}
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.release_pass_transition(release_pass=release_pass, action=PassAction.SCAN,
                                             actor_user=request.user, expected_version=version)
        except ApplicationError as error:
            context.update(p=selectors.pass_by_token(actor=request.actor, token=token),  # type: ignore[attr-defined]  # set by the middleware
                           error_message=error.message, error_code=error.code)
            return render(request, "frontdesk/scan.html", context, status=error.status_code)
        from django.contrib import messages
        messages.success(request, _("Exit recorded."))
        return redirect("frontdesk:scan", token=token)
    context["may_scan"] = PassAction.SCAN in selectors.pass_actions(actor=request.actor, release_pass=release_pass)  # type: ignore[attr-defined]  # set by the middleware
    return render(request, "frontdesk/scan.html", context)


@staff_required
@require_GET
def arrears(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]  # set by the middleware
    site = request.GET.get("site") or ""
    site_id = site if site.isdigit() else None
    qs = selectors.arrears_queryset(actor=actor, site_id=site_id)
    response = render_list(request, queryset=qs, page_template="frontdesk/arrears.html",
                           partial_template="frontdesk/arrears.html", name="balances",
                           full_context=lambda: {"sites": list(selectors.sites_for(actor=actor)),
                                                 "ageing": selectors.ageing(actor=actor, site_id=site_id),
                                                 "collection": _collection(request, site_id)})
    return response


def _collection(request: HttpRequest, site_id: str | None) -> dict[str, Any] | None:
    """The collection-rate figure for `?site=&period=YYYY-MM` (both needed), else None."""
    period = request.GET.get("period") or ""
    if site_id is None or not services._PERIOD.match(period):
        return None
    return selectors.collection_rate(actor=request.actor, site_id=site_id, period=period)  # type: ignore[attr-defined]  # set by the middleware


@staff_required
@require_http_methods(["GET", "POST"])
def fees_import(request: HttpRequest) -> HttpResponse:
    """Upload the finance system's bills (xlsx): every row checked, errors listed per row, nothing
    written unless the whole file is valid; a re-import changes nothing."""
    context: dict[str, Any] = {"columns": services.IMPORT_COLUMNS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                from kefu.core.errors import required_field
                raise required_field("file")
            if upload.size and upload.size > services.MAX_IMPORT_BYTES:
                from kefu.core.errors import field_error
                raise field_error("file", _("The file is larger than 5 MB."))
            result = services.bills_import(actor_user=request.user, content=upload.read())
        except ApplicationError as error:
            context["error_message"] = error.message
            return render(request, "frontdesk/fees_import.html", context, status=error.status_code)
        context["result"] = result
        return render(request, "frontdesk/fees_import.html", context, status=400 if result["errors"] else 200)
    return render(request, "frontdesk/fees_import.html", context)


# --- visitors, keys, parcels: one list page each, with its form and the rows' actions ----------------

REGISTERS: dict[str, dict[str, Any]] = {
    "lending": {"title": _lazy("Items lent"), "form": ItemLoanForm, "labels": LoanAction,
                "transition": lambda obj, **kw: services.item_loan_transition(item_loan=obj, **kw),
                "get": selectors.item_loan_get, "table": workflow.ITEM_LOAN_TABLE, "list": selectors.item_loan_list},
    "violations": {"title": _lazy("Violations"), "form": ViolationForm, "labels": ViolationAction,
                   "transition": lambda obj, **kw: services.violation_transition(violation=obj, **kw),
                   "get": selectors.violation_get, "table": workflow.VIOLATION_TABLE,
                   "list": selectors.violation_list},
    "dunning": {"title": _lazy("Dunning"), "form": DunningRoundForm, "labels": DunningAction,
                "transition": lambda obj, **kw: services.dunning_transition(task=obj, **kw),
                "get": selectors.dunning_get, "table": workflow.DUNNING_TABLE, "list": selectors.dunning_list},
    "renovations": {"title": _lazy("Renovations"), "form": RenovationForm, "labels": RenovationAction,
                    "transition": lambda obj, **kw: services.renovation_transition(renovation=obj, **kw),
                    "get": selectors.renovation_get, "table": workflow.RENOVATION_TABLE,
                    "list": selectors.renovation_list},
    "visitors": {"title": _lazy("Visitors and contractors"), "form": VisitorForm, "labels": VisitAction,
                 "transition": lambda obj, **kw: services.visitor_pass_transition(visitor_pass=obj, **kw),
                 "get": selectors.visitor_pass_get, "table": workflow.VISIT_TABLE},
    "keys": {"title": _lazy("Key loans"), "form": KeyLoanForm, "labels": LoanAction,
             "transition": lambda obj, **kw: services.key_loan_transition(key_loan=obj, **kw),
             "get": selectors.key_loan_get, "table": workflow.LOAN_TABLE},
    "parcels": {"title": _lazy("Parcels and mail"), "form": ParcelForm, "labels": ParcelAction,
                "transition": lambda obj, **kw: services.parcel_transition(parcel=obj, **kw),
                "get": selectors.parcel_get, "table": workflow.PARCEL_TABLE},
}


def _register_rows(request: HttpRequest, register: str, rows: Any) -> list[dict[str, Any]]:
    spec = REGISTERS[register]
    forms = REGISTER_ACTION_FORMS[register]
    out = []
    for obj in rows:
        actions = [(name, spec["labels"](name).label, forms[name](initial={"version": obj.version},
                                                                  auto_id=f"id_{name}_{obj.pk}_%s"))
                   for name in spec["table"].allowed(status=obj.status, role=request.actor.role)]  # type: ignore[attr-defined]  # set by the middleware
        out.append({"obj": obj, "actions": actions})
    return out


def _register_page(request: HttpRequest, register: str, queryset: Any, *, form: Any = None,
                   status: int = 200, error_message: str = "", extra: dict[str, Any] | None = None) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]  # set by the middleware
    form = form or REGISTERS[register]["form"]()
    page = paginate(request, queryset)
    context = {"register": register, "title": REGISTERS[register]["title"], "page": page, "params": request.GET,
               "rows": _register_rows(request, register, page.object_list), "form": form,
               "error_message": error_message, "status_colors": REGISTER_STATUS_COLORS,
               "sites": list(selectors.sites_for(actor=actor)),
               "keys": list(selectors.key_list(actor=actor)) if register == "keys" else [],
               "lend_items": list(selectors.lend_items(actor=actor)) if register == "lending" else [],
               "repeat_from": REPEAT_OFFENDER_COUNT,
               "occupants": [], "selected_requester": "", **(extra or {})}
    if register in ("parcels", "renovations") and form.is_bound:
        unit = selectors.unit_by_code(actor=actor, code=str(form["unit_code"].value() or ""))
        context.update(occupants=selectors.occupants(actor=actor, unit=unit) if unit else [],
                       selected_requester=str(form["requester"].value() or ""))
    return render(request, "frontdesk/register.html", context, status=status)


def _register_create(request: HttpRequest, register: str, queryset: Any, create: Any) -> HttpResponse:
    form = REGISTERS[register]["form"](request.POST)
    if not form.is_valid():
        return _register_page(request, register, queryset, form=form, status=400,
                              error_message=_("Please correct the errors below."))
    try:
        create(form.cleaned_data)
    except ApplicationError as error:
        if "unit" in error.fields:
            error.fields["unit_code"] = error.fields.pop("unit")
        for name in ("recipient", "applicant"):
            if name in error.fields:
                error.fields["requester"] = error.fields.pop(name)
        add_service_errors(form, error)
        return _register_page(request, register, queryset, form=form, status=error.status_code,
                              error_message=error.message)
    from django.contrib import messages
    messages.success(request, _("Registered."))
    return redirect(f"frontdesk:{register}")


@staff_required
@require_http_methods(["GET", "POST"])
def visitors(request: HttpRequest) -> HttpResponse:
    qs = selectors.visitor_pass_list(actor=request.actor)  # type: ignore[attr-defined]  # set by the middleware
    if request.GET.get("status") in VisitStatus.values:
        qs = qs.filter(status=request.GET["status"])
    if request.method == "POST":
        return _register_create(request, "visitors", qs, lambda d: services.visitor_pass_create(
            actor_user=request.user, site=d["site"], kind=d["kind"], name=d["name"], phone=d["phone"],
            company=d["company"], purpose=d["purpose"], valid_until=d["valid_until"], walk_in=d["walk_in"]))
    return _register_page(request, "visitors", qs)


@staff_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    qs = selectors.key_loan_list(actor=request.actor, overdue=request.GET.get("overdue") == "true")  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        return _register_create(request, "keys", qs, lambda d: services.key_loan_create(
            actor_user=request.user, key=d["key"], borrower=d["borrower"], borrower_phone=d["borrower_phone"],
            company=d["company"], due_at=d["due_at"]))
    return _register_page(request, "keys", qs)


@staff_required
@require_http_methods(["GET", "POST"])
def parcels(request: HttpRequest) -> HttpResponse:
    waiting = request.GET.get("waiting") or ""
    qs = selectors.parcel_list(actor=request.actor, waiting_days=int(waiting) if waiting.isdigit() else None)  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        def create(d: dict[str, Any]) -> Any:
            unit = selectors.unit_by_code(actor=request.actor, code=d["unit_code"])  # type: ignore[attr-defined]  # set by the middleware
            if unit is None:
                from kefu.core.errors import field_error
                raise field_error("unit_code", _("Unknown unit."))
            return services.parcel_receive(actor_user=request.user, unit=unit, recipient=d["requester"],
                                           sender=d["sender"], carrier=d["carrier"],
                                           tracking_number=d["tracking_number"],
                                           is_registered_mail=d["is_registered_mail"])
        return _register_create(request, "parcels", qs, create)
    return _register_page(request, "parcels", qs)


@staff_required
@require_http_methods(["GET", "POST"])
def renovations(request: HttpRequest) -> HttpResponse:
    """Renovation permits: the application form and each permit's next steps (the checklist,
    the deposit, site checks and rectification orders, acceptance, the refund)."""
    wanted = request.GET.get("status")
    qs = selectors.renovation_list(actor=request.actor, status=wanted if wanted in RenovationStatus.values else None)  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        def create(d: dict[str, Any]) -> Any:
            unit = selectors.unit_by_code(actor=request.actor, code=d["unit_code"])  # type: ignore[attr-defined]  # set by the middleware
            if unit is None:
                from kefu.core.errors import field_error
                raise field_error("unit_code", _("Unknown unit."))
            return services.renovation_apply(actor_user=request.user, unit=unit, applicant=d["requester"],
                                             description=d["description"], contractor=d["contractor"],
                                             starts_on=d["starts_on"], ends_on=d["ends_on"])
        return _register_create(request, "renovations", qs, create)
    return _register_page(request, "renovations", qs)


@staff_required
@require_http_methods(["GET", "POST"])
def dunning(request: HttpRequest) -> HttpResponse:
    """The stewards' dunning list: start a round for a site (tasks by the ladder), then record
    attempts (an SMS goes through the outbox), promises, escalations."""
    wanted = request.GET.get("status")
    qs = selectors.dunning_list(actor=request.actor, status=wanted if wanted in DunningStatus.values else None)  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        return _register_create(request, "dunning", qs, lambda d: services.dunning_round(
            actor_user=request.user, site=d["site"], min_balance=d["min_balance"]))
    return _register_page(request, "dunning", qs)


def _unit_or_none(request: HttpRequest, code: str, *, required: bool) -> Any:
    from kefu.core.errors import field_error, required_field

    if not code:
        if required:
            raise required_field("unit_code")
        return None
    unit = selectors.unit_by_code(actor=request.actor, code=code)  # type: ignore[attr-defined]  # set by the middleware
    if unit is None:
        raise field_error("unit_code", _("Unknown unit."))
    return unit


@staff_required
@require_http_methods(["GET", "POST"])
def lending(request: HttpRequest) -> HttpResponse:
    """Items lent to occupants (umbrellas, carts, tools): lend, take back, overdue ones."""
    qs = selectors.item_loan_list(actor=request.actor, overdue=request.GET.get("overdue") == "true")  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        return _register_create(request, "lending", qs, lambda d: services.item_loan_create(
            actor_user=request.user, item=d["item"], borrower=d["borrower"], due_at=d["due_at"],
            unit=_unit_or_none(request, d["unit_code"], required=False)))
    return _register_page(request, "lending", qs)


@staff_required
@require_http_methods(["GET", "POST"])
def violations(request: HttpRequest) -> HttpResponse:
    """Occupants' violations with rectification orders; repeat offenders marked."""
    qs = selectors.violation_list(actor=request.actor)  # type: ignore[attr-defined]  # set by the middleware
    if request.method == "POST":
        return _register_create(request, "violations", qs, lambda d: services.violation_record(
            actor_user=request.user, unit=_unit_or_none(request, d["unit_code"], required=True), kind=d["kind"],
            description=d["description"], rectify_by=d["rectify_by"], penalty=d["penalty"]))
    return _register_page(request, "violations", qs)


@staff_required
@require_POST
def register_action(request: HttpRequest, register: str, pk: int, action: str) -> HttpResponse:
    spec = REGISTERS.get(register)
    if spec is None:
        raise Http404
    obj = spec["get"](actor=request.actor, pk=pk)  # type: ignore[attr-defined]  # set by the middleware
    if obj is None:
        raise Http404
    url = reverse(f"frontdesk:{register}")

    def failure(form: Any, message: str, status: int) -> HttpResponse:
        details = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        lister: Any = spec.get("list") or {"visitors": selectors.visitor_pass_list, "keys": selectors.key_loan_list,
                                           "parcels": selectors.parcel_list}[register]
        return _register_page(request, register, lister(actor=request.actor), status=status,  # type: ignore[attr-defined]  # set by the middleware
                              error_message=f"{message} {details}".strip())

    return take_workflow_action(
        request, action=action, forms=REGISTER_ACTION_FORMS[register],
        label=str(spec["labels"](action).label) if action in spec["labels"].values else action,
        run=lambda data, form: spec["transition"](obj, action=action, actor_user=request.user,
                                                  expected_version=form.cleaned_data["version"], **data),
        success_url=url, failure=failure)


@staff_required
@require_GET
def arrears_export(request: HttpRequest) -> HttpResponse:
    """The arrears list and its ageing as xlsx (the page's selector, every row up to 100,000)."""
    from kefu.frontdesk.exports import arrears_xlsx

    site = request.GET.get("site") or ""
    body = arrears_xlsx(actor=request.actor, site_id=site if site.isdigit() else None)  # type: ignore[attr-defined]  # set by the middleware
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="arrears.xlsx"'
    return response
