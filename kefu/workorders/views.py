"""Agent UI for work orders (htmx): queues, intake, the work-order page and its dialogs.

Views parse input, call services (every write) and selectors (every read, scoped to the
actor), and turn ApplicationError into a message with the matching HTTP status.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import ApplicationError, NotFound, field_error
from kefu.core.files import user_file_response
from kefu.core.filtering import non_empty
from kefu.core.htmx import is_partial, pick_template
from kefu.core.masking import may_view_personal_data
from kefu.core.pages import add_service_errors, take_workflow_action
from kefu.core.pagination import CappedPaginator
from kefu.customers import selectors as customer_selectors
from kefu.customers import services as customer_services
from kefu.knowledge.selectors import work_order_highlights
from kefu.org.choices import RoleCode
from kefu.org.decorators import staff_required
from kefu.org.selectors import Actor, organisation_path, staff_list, team_list
from kefu.workorders import selectors, services, workflow
from kefu.workorders.choices import Action, Channel, HoldReason, Priority, Status, WorkOrderType
from kefu.workorders.filters import WorkOrderFilterSet
from kefu.workorders.forms import ACTION_FORMS, AttachmentForm, IntakeForm, ResolveOnSiteForm

PAGE_SIZE = 25


def _order_or_404(actor: Actor, pk):
    try:
        return selectors.work_order_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _queue_labels() -> dict:
    # Built per request so the labels follow the active language.
    return {"dispatch": _("To dispatch"), "mine": _("Assigned to me"), "team": _("My teams"), "received": _("I received"),
            "approval": _("Awaiting my approval"), "all": _("All")}


def default_queue(actor: Actor) -> str:
    if actor.role in (RoleCode.TECHNICIAN, RoleCode.VENDOR):
        return "mine"
    if actor.role in (RoleCode.AGENT, RoleCode.STEWARD):
        return "received"
    if actor.role == RoleCode.SUPERVISOR:
        return "dispatch"
    return "all"


def _shows_queue(actor: Actor, name: str) -> bool:
    if name == "approval":
        return _shows_approval(actor)
    if name == "dispatch":
        return actor.role in selectors.DISPATCH_ROLES
    return True


def _shows_approval(actor: Actor) -> bool:
    return actor.is_approver or actor.role == RoleCode.ADMINISTRATOR


def _grouped_categories(actor: Actor) -> list[tuple[str, list]]:
    """Selectable categories of the actor's organisation, grouped by industry and parent path
    (e.g. “property · 报修 › 给排水”)."""
    categories = list(selectors.category_list(actor=actor))
    by_id = {c.pk: c for c in categories}
    has_children = {c.parent_id for c in categories if c.parent_id}
    groups: dict[str, list] = {}
    industry_labels = {"property": _("Property"), "telecom": _("Telecom"), "auto": _("Automotive")}
    for c in categories:
        if c.pk in has_children:
            continue
        path, parent = [], by_id.get(c.parent_id)  # type: ignore[var-annotated, arg-type]  # not None on this path (set or checked before)
        while parent is not None:
            path.insert(0, parent.display_name)
            parent = by_id.get(parent.parent_id)  # type: ignore[arg-type]  # not None on this path (set or checked before)
        label = industry_labels.get(c.industry, c.industry or _("Other"))
        if path:
            label = f"{label} · {' › '.join(path)}"
        groups.setdefault(label, []).append(c)
    return list(groups.items())


# --- queues ------------------------------------------------------------------------------------


@staff_required
@require_GET
def queue(request):
    actor = request.actor
    name = request.GET.get("queue") or default_queue(actor)
    if name not in selectors.QUEUES or not _shows_queue(actor, name):
        name = default_queue(actor)
    qs = selectors.work_order_list_for_actor(actor=actor).filter(selectors.queue_q(actor=actor, queue=name))
    filterset = WorkOrderFilterSet(non_empty(request.GET), queryset=qs, actor=actor)
    filter_errors = None
    if filterset.is_valid():
        qs = filterset.qs
    else:
        filter_errors = filterset.errors
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    orders = page.object_list
    search = filterset.form.cleaned_data.get("search") if filter_errors is None else ""
    if search:  # the matched text, marked (kefu.knowledge)
        orders = work_order_highlights(list(orders), raw=search, actor=actor)
    context = {
        "may_bulk": actor.role in workflow.INTAKE_ROLES,
        "queue": name, "page": page, "orders": orders, "filter_errors": filter_errors,
        "ordering": request.GET.get("ordering", ""), "params": request.GET,
    }
    # A history restore (back button after hx-push-url) needs the whole page again.
    partial = is_partial(request) and not request.htmx.history_restore_request
    if not partial:
        counts = selectors.queue_counts(actor=actor)
        labels = _queue_labels()
        tabs = [(q, labels[q], counts.get(q)) for q in selectors.QUEUES if _shows_queue(actor, q)]
        context.update(
            tabs=tabs, statuses=Status.choices, types=WorkOrderType.choices, channels=Channel.choices,
            priorities=Priority.choices, teams=list(team_list(within=organisation_path(actor))),
            category_groups=_grouped_categories(actor),
            assignees=list(staff_list(within=organisation_path(actor)).filter(role__code__in=[RoleCode.TECHNICIAN, RoleCode.VENDOR,
                                                               RoleCode.AGENT, RoleCode.STEWARD,
                                                               RoleCode.SUPERVISOR])),
            sort_choices=[("-received_at", _("Newest first")), ("received_at", _("Oldest first")),
                          ("-priority", _("Priority (highest first)")), ("promised_at", _("Promised time")),
                          ("due", _("SLA due soonest")), ("number", _("Number"))],
            show_filters=any(request.GET.get(k) for k in ("channel", "category", "assignee", "received_after",
                                                          "received_before")),
        )
    template = (pick_template(request, "workorders/queue.html", "workorders/partials/queue_results.html")
                if partial else "workorders/queue.html")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- bulk actions on selected rows ---------------------------------------------------------------

def _bulk_rows(values: list[str]) -> list[tuple[int, int | None]]:
    """The selected rows, "id:version" each (the version the user saw); duplicates dropped."""
    rows: dict[int, int | None] = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if not pk.isdigit() or (version and not version.isdigit()):
            raise field_error("order", _("Select work orders from the list."))
        rows.setdefault(int(pk), int(version) if version else None)
    return list(rows.items())


def _bulk_choice(model_list, value: str, field: str, message: str, key: str = "pk"):
    if not value:
        return None
    found = model_list.filter(**{key: int(value)}).first() if value.isdigit() else None
    if found is None:
        raise field_error(field, message)
    return found


@staff_required
@require_POST
def bulk(request):
    """A bulk action on the queue's selected rows: dispatch to a team, assign or export. Each row
    goes through the gate on its own (its own event); refused rows are listed with the reason."""
    actor = request.actor
    action = request.POST.get("bulk_action", "")
    back = request.POST.get("next", "")
    if not back.startswith("/work-orders/"):
        back = reverse("workorders:queue")
    context = {"back": back, "action": action}
    try:
        rows = _bulk_rows(request.POST.getlist("order"))
        if action == "export":
            if not rows or len(rows) > services.BULK_MAX:
                raise field_error("order", _("Select between 1 and %(max)s work orders.") % {"max": services.BULK_MAX})
            ids = ",".join(str(pk) for pk, _version in rows)
            return redirect(f"{reverse('exchange:export', args=['work-orders'])}?ids={ids}")
        within = organisation_path(actor)
        team = _bulk_choice(team_list(within=within), request.POST.get("team", ""), "team",
                            _("Choose an active team."))
        assignee = _bulk_choice(staff_list(within=within), request.POST.get("assignee", ""), "assignee",
                                _("The assignee must be an active staff member."), key="user_id")
        results = services.work_orders_bulk_transition(
            rows=rows, action=action, actor_user=request.user, team=team,
            assignee=assignee.user if assignee else None)
    except ApplicationError as error:
        context["error_message"] = error.message
        return render(request, "workorders/bulk_results.html", context, status=error.status_code)
    context.update(results=results, done=sum(1 for r in results if r.ok),
                   refused=[r for r in results if not r.ok], total=len(results),
                   action_label={"dispatch": _("Dispatch to a team"), "assign": _("Assign")}[action])
    return render(request, "workorders/bulk_results.html", context)


# --- intake ------------------------------------------------------------------------------------

def _intake_context(request, actor: Actor, form: IntakeForm, **extra) -> dict:
    customer = asset_id = None
    customer_id = form["customer"].value()
    if customer_id:
        try:
            customer = customer_selectors.customer_get(pk=int(customer_id), actor=actor)
        except (TypeError, ValueError):
            customer = None
    asset_id = form["asset"].value() or None
    related = selectors.work_order_related_for_intake(actor=actor, customer_id=customer.pk if customer else None,
                                                      asset_id=asset_id)
    related_value = str(form["related_order"].value() or "")
    context = {
        "form": form, "customer": customer, "related": related, "related_value": related_value,
        "category_groups": _grouped_categories(actor), "customer_q": request.POST.get("customer_q", ""),
        "selected_asset": str(asset_id or ""),
    }
    context.update(extra)
    return context


def _focus_first_error(form) -> None:
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _read_back(form: IntakeForm) -> dict:
    data = form.cleaned_data
    customer = data.get("customer")
    return {
        "name": data.get("contact_name") or (customer.name if customer else ""),
        "title": data["title"], "type_label": WorkOrderType(data["type"]).label,
        "address": data["asset"].code if data.get("asset") else "",
        "promised_at": data.get("promised_at"), "category": data["category"].display_name,
        "priority": data["priority"], "complaint_level": data.get("complaint_level"),
        "phone": data.get("contact_phone") or "", "tags": form.tag_list(),
        "channel_label": Channel(data["channel"]).label,
    }


def _check_related(actor: Actor, form: IntakeForm):
    pk = form.cleaned_data.get("related_order")
    if not pk:
        return None
    try:
        return selectors.work_order_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        form.add_error("related_order", _("Work order not found."))
        return None


@staff_required
def intake(request):
    """The intake form; POST without `confirm` shows the read-back, with `confirm` saves."""
    actor = _intake_actor(request)
    if request.method != "POST":
        initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0)}
        return render(request, "workorders/intake.html", _intake_context(request, actor, IntakeForm(initial=initial, actor=actor)))
    form = IntakeForm(request.POST, actor=actor)
    related = _check_related(actor, form) if form.is_valid() else None
    if not form.is_valid():
        _focus_first_error(form)
        return render(request, "workorders/intake.html", _intake_context(request, actor, form), status=400)
    if "confirm" not in request.POST:
        return render(request, "workorders/intake.html",
                      _intake_context(request, actor, form, readback=_read_back(form)))
    data = form.cleaned_data
    try:
        order = services.work_order_create(
            actor_user=request.user, type=data["type"], channel=data["channel"], category=data["category"],
            title=data["title"], description=data["description"], priority=data["priority"],
            complaint_level=data.get("complaint_level"), customer=data.get("customer"),
            contact_name=data.get("contact_name") or "", contact_phone=data.get("contact_phone") or "",
            asset=data.get("asset"), received_at=data.get("received_at"), promised_at=data.get("promised_at"),
            tags=form.tag_list(), related_order=related)
    except ApplicationError as error:
        add_service_errors(form, error)
        _focus_first_error(form)
        return render(request, "workorders/intake.html",
                      _intake_context(request, actor, form, error_message=error.message), status=error.status_code)
    messages.success(request, _("Work order %(number)s has been created.") % {"number": order.number})
    return redirect("workorders:detail", pk=order.pk)


def _intake_actor(request) -> Actor:
    """The actor, if their role may log new work orders (the intake pages and their partials)."""
    actor = request.actor
    if actor.role not in services.CREATE_ROLES:
        raise PermissionDenied(_("Your role may not create work orders."))
    return actor


@staff_required
@require_POST
def intake_review(request):
    """htmx: validate the intake form and return the read-back (复述确认), or the form with errors."""
    actor = _intake_actor(request)
    form = IntakeForm(request.POST, actor=actor)
    if form.is_valid():
        _check_related(actor, form)
    if not form.is_valid():
        _focus_first_error(form)
        response = render(request, "workorders/partials/intake_fields.html",
                          _intake_context(request, actor, form), status=400)
        response["HX-Retarget"] = "#intake-fields"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "workorders/partials/intake_readback.html", {"readback": _read_back(form)})


def _customer_block(request, actor: Actor, customer):
    """The intake's customer block for `customer`, with its recent orders out of band."""
    phone = next(iter(customer.phones.all()), None)
    assets = [link.asset for link in customer.asset_links.all()]
    # Roles without the personal-data permission get no number prefilled: the service copies
    # the customer's number onto the order itself when the field is left empty.
    form = IntakeForm(actor=actor, initial={"customer": customer.pk, "contact_name": customer.name,
                               "contact_phone": phone.number if phone and may_view_personal_data(request.user) else "",
                               "asset": assets[0].pk if len(assets) == 1 else None})
    related = selectors.work_order_related_for_intake(actor=actor, customer_id=customer.pk,
                                                      asset_id=assets[0].pk if len(assets) == 1 else None)
    return render(request, "workorders/partials/intake_customer.html", {
        "form": form, "customer": customer, "related": related, "oob": True,
        "selected_asset": str(assets[0].pk) if len(assets) == 1 else ""})


@staff_required
@require_GET
def intake_customer(request):
    """htmx: the chosen customer's contact fields and assets, plus their recent orders (out of band)."""
    actor = request.actor
    customer = None
    try:
        customer = customer_selectors.customer_get(pk=int(request.GET.get("customer", "")), actor=actor)
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise Http404
    return _customer_block(request, actor, customer)


@staff_required
@require_POST
def intake_customer_create(request):
    """htmx: record a caller who is not on file yet (name and phone), then use them at once."""
    actor = _intake_actor(request)
    name = request.POST.get("new_customer_name", "")
    phone = request.POST.get("new_customer_phone", "").strip()
    try:
        customer = customer_services.customer_create(name=name, phones=[phone] if phone else [])
    except ApplicationError as error:
        response = render(request, "customers/partials/new_customer.html", {
            "name": name, "phone": phone, "error_message": error.message, "errors": error.fields},
            status=error.status_code)
        response["HX-Retarget"] = "#customer-results"
        response["HX-Reswap"] = "innerHTML"
        return response
    return _customer_block(request, actor, customer_selectors.customer_get(pk=customer.pk, actor=actor))


@staff_required
@require_GET
def intake_related(request):
    """htmx: recent orders of the customer / on the unit, when the asset changes."""
    actor = request.actor
    related = selectors.work_order_related_for_intake(
        actor=actor, customer_id=request.GET.get("customer") or None, asset_id=request.GET.get("asset") or None)
    return render(request, "workorders/partials/intake_related.html",
                  {"related": related, "related_value": request.GET.get("related_order", "")})


# --- the work-order page ----------------------------------------------------------------------

# Actions with nothing to fill in: one tap posts them (no empty dialog).
ONE_TAP_ACTIONS = frozenset({"start", "resume"})


def _action_forms(order, actions, bound: dict | None = None) -> list[tuple[str, str, object]]:
    result = []
    for name in actions:
        if name == "comment":
            continue
        form = (bound or {}).get(name) or ACTION_FORMS[name](initial={"version": order.version},
                                                             auto_id=f"id_{name}_%s")
        result.append((name, str(Action(name).label), form))
    return result


def _detail_context(request, actor: Actor, order, *, failed_action: str = "", failed_form=None,
                    error_message: str = "", attachment_form=None) -> dict:
    actions = selectors.work_order_available_actions(actor=actor, order=order)
    bound = {failed_action: failed_form} if failed_form is not None and failed_action != "comment" else {}
    comment_form = failed_form if failed_action == "comment" else ACTION_FORMS["comment"](
        initial={"version": order.version, "internal": True}, auto_id="id_comment_%s")
    return {
        "order": order, "events": list(selectors.work_order_events(order=order)),
        "actions": actions, "action_forms": _action_forms(order, actions, bound),
        "comment_form": comment_form if "comment" in actions else None,
        "attachments": list(order.attachments.all()),
        "can_attach": selectors.can_work_on(actor, order) and order.status != Status.CANCELLED,
        "attachment_form": attachment_form or AttachmentForm(),
        "teams": list(team_list(within=organisation_path(actor))) if "dispatch" in actions else [],
        "hold_reasons": HoldReason.choices, "failed_action": failed_action, "error_message": error_message,
        "linked_orders": list(order.linked_orders.filter(selectors.visibility_q(actor)).only("pk", "number", "title")),
        "materials": list(order.materials.all()) if order.resolved_at else [],
        "one_tap_actions": ONE_TAP_ACTIONS,
        # Technicians and vendors resolve on site: the full form (parts, photos, signature) as a page.
        "resolve_on_page": actor.role in (RoleCode.TECHNICIAN, RoleCode.VENDOR),
    }


@staff_required
@require_GET
def detail(request, pk):
    actor = request.actor
    order = _order_or_404(actor, pk)
    return render(request, "workorders/detail.html", _detail_context(request, actor, order))


def _fail(request, actor, order, *, action: str, form, message: str, status: int):
    if request.htmx:
        return render(request, "workorders/partials/action_form.html", {
            "order": order, "name": action, "label": Action(action).label, "form": form,
            "error_message": message, "teams": list(team_list(within=organisation_path(actor))) if action == "dispatch" else [],
            "in_modal": action != "comment"}, status=status)
    return render(request, "workorders/detail.html", _detail_context(
        request, actor, order, failed_action=action, failed_form=form, error_message=message), status=status)


@staff_required
@require_POST
def action(request, pk, action):
    """Take one workflow action (form in a dialog); the version the user saw travels along."""
    actor = request.actor
    order = _order_or_404(actor, pk)

    def run(data, form):
        if action == "dispatch":
            team = team_list(within=organisation_path(actor)).filter(pk=data["team"]).first()
            if team is None:
                raise field_error("team", _("Choose an active team."))
            data["team"] = team
            data["assignee"] = selectors.user_by_id(data.get("assignee"))
        services.work_order_transition(work_order=order, action=action, actor_user=request.user,
                                       expected_version=form.cleaned_data["version"], **data)

    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=Action(action).label if action in ACTION_FORMS else "",
        run=run, success_url=reverse("workorders:detail", args=[order.pk]),
        failure=lambda form, message, status: _fail(request, actor, order, action=action, form=form,
                                                    message=message, status=status))


# --- the technician's resolve form (phone first) -----------------------------------------------

BLANK_MATERIAL_ROWS = 2


def _resolve_page(request, order, form, *, error_message: str = "", status: int = 200):
    rows = form.material_lines() if form.is_bound else []
    rows = [r for r in rows if any(str(v).strip() for v in r.values())] or [{}] * BLANK_MATERIAL_ROWS
    return render(request, "workorders/resolve.html", {
        "order": order, "form": form, "error_message": error_message, "material_rows": rows,
        "max_lines": services.MAX_MATERIAL_LINES, "max_photos": services.MAX_PHOTOS}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def resolve(request, pk):
    """The resolve form as its own page: the description and the customer's contact first, then
    what was done, parts and materials, photos and the customer's signature. Through the gate
    (`work_order_transition`), with the version the page was read at (a race → 409)."""
    actor = request.actor
    order = _order_or_404(actor, pk)
    if request.method != "POST":
        if "resolve" not in selectors.work_order_available_actions(actor=actor, order=order):
            messages.error(request, _("This work order cannot be resolved by you now."))
            return redirect("workorders:detail", pk=order.pk)
        return _resolve_page(request, order, ResolveOnSiteForm(initial={"version": order.version},
                                                                auto_id="id_resolve_%s"))
    form = ResolveOnSiteForm(request.POST, request.FILES, auto_id="id_resolve_%s")
    if not form.is_valid():
        return _resolve_page(request, order, form, error_message=_("Please correct the errors below."), status=400)
    try:
        services.work_order_transition(work_order=order, action="resolve", actor_user=request.user,
                                       expected_version=form.cleaned_data["version"], **form.service_data())
    except ApplicationError as error:
        add_service_errors(form, error)
        return _resolve_page(request, order, form, error_message=error.message, status=error.status_code)
    messages.success(request, _("%(action)s: done.") % {"action": Action.RESOLVE.label})
    return redirect("workorders:detail", pk=order.pk)


@staff_required
@require_POST
def attachment_upload(request, pk):
    actor = request.actor
    order = _order_or_404(actor, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "workorders/detail.html", _detail_context(
            request, actor, order, attachment_form=form, error_message=_("Choose a file to upload.")), status=400)
    try:
        item = services.work_order_attachment_add(work_order=order, actor_user=request.user,
                                                  upload=form.cleaned_data["file"])
    except ApplicationError as error:
        add_service_errors(form, error)
        return render(request, "workorders/detail.html", _detail_context(
            request, actor, order, attachment_form=form, error_message=error.message), status=error.status_code)
    messages.success(request, _("%(name)s has been attached.") % {"name": item.original_name})
    return redirect("workorders:detail", pk=order.pk)


@staff_required
@require_GET
def assignee_options(request):
    """htmx: <option>s of active staff in the chosen team (and the departments under it)."""
    team = None
    try:
        team = team_list(within=organisation_path(request.actor)).filter(pk=int(request.GET.get("team", ""))).first()
    except (TypeError, ValueError):
        team = None
    staff = list(staff_list().filter(department__path__startswith=team.path)) if team else []
    return render(request, "workorders/partials/assignee_options.html", {"staff": staff})


@staff_required(not_staff="404")
def attachment(request, pk, attachment_id):
    """Stream an attachment after checking that the user may see its work order."""
    actor = request.actor
    try:
        order = selectors.work_order_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None
    item = order.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    # Photos inline, PDFs (which can carry script) as downloads, always sandboxed (kefu.core.files).
    return user_file_response(item.file.open("rb"), content_type=item.content_type, filename=item.original_name)
