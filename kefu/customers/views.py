"""Customer UI: the intake lookup partial, the customer list, the deleted customers with their
restore, unit archives with uploads, and the stewards' "missing documents" list (the customer
360 page and the units list, which show other apps' records too, are kefu.workspace.views). Thin: selectors to read, services to write."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator
from kefu.customers import selectors, services
from kefu.customers.choices import DocumentScope
from kefu.customers.models import DocumentType
from kefu.customers.phones import phone_digits_query
from kefu.org.decorators import staff_required
from kefu.org.selectors import Actor

PAGE_SIZE = 25


@staff_required
@require_GET
def lookup(request):
    """htmx: customers matching what the agent typed (phone, name, initials or unit code)."""
    actor = request.actor
    q = request.GET.get("q") or request.GET.get("customer_q") or ""
    customers = selectors.customer_search(q=q, limit=10, actor=actor) if q.strip() else []
    # Prefill the "new customer" row from what was typed: digits are a phone, anything else a name.
    looks_like_phone = bool(phone_digits_query(q)) and not any(ch.isalpha() for ch in q)
    return render(request, "customers/partials/lookup_results.html", {
        "customers": customers, "q": q, "new_phone": q.strip() if looks_like_phone else "",
        "new_name": "" if looks_like_phone else q.strip()})


@staff_required
@require_GET
def customer_list(request):
    """Customers in the user's scope; with `q`, the ranked lookup (phone, name, unit, ID tail…)."""
    actor = request.actor
    q = (request.GET.get("q") or "").strip()
    if q:
        rows = selectors.customer_search(q=q, limit=50, actor=actor)
        page = None
    else:
        page = CappedPaginator(selectors.customer_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    return render(request, "customers/list.html", {"customers": rows, "page": page, "q": q,
                                                   "may_restore": actor.role in services.DELETE_ROLES})


def _restore_actor(request) -> Actor:
    actor = request.actor
    if actor.role not in services.DELETE_ROLES:
        raise PermissionDenied(_("Only a supervisor, manager, director or administrator may restore deleted customers."))
    return actor


def _deleted_page(request, actor: Actor, *, page_number=None, error: ApplicationError | None = None,
                  restored=None, status: int = 200):
    page = CappedPaginator(selectors.deleted_customer_list(actor=actor), PAGE_SIZE).get_page(page_number)
    rows = selectors.deleted_rows(customers=list(page.object_list))
    template = "customers/partials/deleted_table.html" if is_partial(request) else "customers/deleted.html"
    return render(request, template, {
        "customers": rows, "page": page, "error": error, "restored": restored,
        "retention_days": settings.KEFU_CUSTOMER_RETENTION_DAYS,
    }, status=status)


@staff_required
@require_GET
def deleted_list(request):
    """Soft-deleted customers in the user's scope, not yet erased, with who deleted them, when, the
    days left before the nightly purge erases them, and a restore button (the roles that delete)."""
    actor = _restore_actor(request)
    return _deleted_page(request, actor, page_number=request.GET.get("page"))


@staff_required
@require_POST
def restore(request, pk: int):
    """Restore a deleted customer; an htmx request gets the list back with the outcome, a plain
    form post a redirect (or the page with the refusal and its status)."""
    actor = _restore_actor(request)
    customer = selectors.customer_for_restore(actor=actor, pk=pk)
    if customer is None:
        raise Http404
    page_number = request.POST.get("page")
    try:
        customer = services.customer_restore(customer=customer, actor_user=request.user)
    except ApplicationError as exc:
        return _deleted_page(request, actor, page_number=page_number, error=exc, status=exc.status_code)
    if is_partial(request):
        return _deleted_page(request, actor, page_number=page_number, restored=customer)
    messages.success(request, _("%(name)s is restored and back in the customer list.") % {"name": customer.name})
    return redirect("customers:deleted")


def _unit_page(request, actor: Actor, unit, *, errors: dict | None = None, status: int = 200):
    return render(request, "customers/unit.html", {
        "unit": unit, "archive": selectors.archive_for(unit=unit), "errors": errors or {},
        "may_edit_archive": actor.role in services.ARCHIVE_ROLES,
    }, status=status)


@staff_required
@require_GET
def unit_detail(request, pk: int):
    """A unit's archive: occupants (current and past) and the document checklist with uploads."""
    actor = request.actor
    unit = selectors.unit_get(actor=actor, pk=pk)
    if unit is None:
        raise Http404
    return _unit_page(request, actor, unit)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_required
@require_POST
def document_upload(request, owner: str, pk: int, type_pk: int):
    """File an archive document of a unit (owner "unit") or a customer (owner "customer")."""
    actor = request.actor
    document_type = DocumentType.objects.filter(pk=type_pk, is_active=True).first()
    if owner == "unit":
        target = selectors.unit_get(actor=actor, pk=pk)
        back = "customers:unit"
    else:
        target = selectors.customer_360(actor=actor, pk=pk)  # type: ignore[assignment]  # not None on this path (set or checked before)
        back = "customers:detail"
    if target is None or document_type is None:
        raise Http404
    issued_raw = request.POST.get("issued_on", "")
    issued_on = _parse_date(issued_raw)
    try:
        if issued_raw and issued_on is None:
            raise services.InvalidInput(_("Enter a valid date."), fields={"issued_on": [_("Enter a valid date.")]})
        services.archive_document_upload(
            document_type=document_type, actor_user=request.user, upload=request.FILES.get("file"),
            issued_on=issued_on, note=request.POST.get("note", ""),
            **({"unit": target} if owner == "unit" else {"customer": target}))  # type: ignore[arg-type]  # not None on this path (set or checked before)
    except ApplicationError as exc:
        errors = {document_type.pk: exc.fields or {"file": [exc.message]}}
        if owner == "unit":
            return _unit_page(request, actor, target, errors=errors, status=exc.status_code)
        messages.error(request, "; ".join(m for ms in errors[document_type.pk].values() for m in ms))
        return redirect(reverse(back, args=[pk]) + "#archive")
    messages.success(request, _("%(document)s filed.") % {"document": document_type})
    return redirect(reverse(back, args=[pk]) + "#archive")


@staff_required
@require_GET
def missing_documents(request):
    """Stewards' list: units in their scope whose archive lacks required documents, with each
    building's completeness; filter by site, building and document type."""
    actor = request.actor
    params = {k: request.GET.get(k, "") for k in ("site", "building", "document_type")}
    ids = {k: int(v) if v.isdigit() else None for k, v in params.items()}
    units = selectors.units_missing_documents(actor=actor, site_id=ids["site"], building_id=ids["building"],
                                              document_type_id=ids["document_type"])
    page = CappedPaginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    types = selectors.document_types(scope=DocumentScope.UNIT)
    present = selectors.present_types_by_unit(unit_ids=[u.pk for u in rows])
    required = [t for t in types if t.required or t.pk == ids["document_type"]]
    for unit in rows:
        unit.missing_types = [t for t in required if t.pk not in present[unit.pk]
                              and (ids["document_type"] is None or t.pk == ids["document_type"])]
    buildings = selectors.building_completeness(actor=actor, site_id=ids["site"])
    return render(request, "customers/missing_documents.html", {
        "units": rows, "page": page, "params": params, "types": types, "buildings": buildings,
        "sites": list(selectors.sites_for(actor=actor)), "required_count": len([t for t in types if t.required]),
    })
