"""Pages that assemble several apps: the customer 360 page and the units list (URL names
`customers:detail` and `customers:units`, wired into the customers namespace by config/urls.py).
Thin: the owning apps' selectors read, kefu.workspace.selectors puts them together."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.filtering import non_empty
from kefu.core.pagination import CappedPaginator
from kefu.customers import selectors as customers
from kefu.customers.choices import UnitStatus, UnitUse
from kefu.customers.filters import UnitFilterSet
from kefu.customers.services import ARCHIVE_ROLES
from kefu.org.decorators import staff_required
from kefu.org.models import Department
from kefu.workspace import selectors, services

PAGE_SIZE = 25


@staff_required
@require_GET
def customer_detail(request, pk: int):
    """The customer 360 page: identity, units and assets, contacts, work orders, callbacks,
    ratings and survey answers, the customer archive and the change history."""
    actor = request.actor
    customer = customers.customer_360(actor=actor, pk=pk)
    if customer is None:
        raise Http404
    return render(request, "workspace/customer_360.html", {
        "customer": customer, **selectors.customer_page(actor=actor, customer=customer),
        "history": customers.customer_history(customer=customer, user=request.user),
        "may_edit_archive": actor.role in ARCHIVE_ROLES,
    })


@staff_required
@require_GET
def unit_list(request):
    """Units in the user's scope: who lives there, status, area, use, archive completeness and open
    work orders; filters by site, building, status, use, occupants and code/name. Bad filter input
    answers 400 with the field named and no rows."""
    actor = request.actor
    filterset = UnitFilterSet(non_empty(request.GET), queryset=customers.unit_list(actor=actor), request=request)
    filter_errors = None if filterset.is_valid() else filterset.errors
    page = None
    rows = []
    if filter_errors is None:
        page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.unit_rows(actor=actor, units=list(page.object_list))
    sites = list(customers.sites_for(actor=actor))
    params = {k: request.GET.get(k, "") for k in ("site", "building", "status", "use", "occupied", "q")}
    buildings = customers.buildings_for(actor=actor, site_id=params["site"] if params["site"].isdigit() else None)
    labels = {name: f.label for name, f in filterset.filters.items()}
    return render(request, "workspace/units.html", {
        "units": rows, "page": page, "params": params, "sites": sites, "buildings": buildings,
        "statuses": UnitStatus.choices, "uses": UnitUse.choices,
        "filter_errors": [(labels.get(k, k), k, v) for k, v in (filter_errors or {}).items()],
    }, status=400 if filter_errors else 200)


# --- saved views of the work-order queues ------------------------------------------------------

def _queue_url(query: str) -> str:
    from django.urls import reverse

    return f"{reverse('workorders:queue')}?{query}" if query else reverse('workorders:queue')


@staff_required
@require_POST
def saved_view_save(request):
    """Save the queue's current filters and sort under a name (shared with the supervisor's own
    department when asked); then open it."""
    from django.http import QueryDict

    actor = request.actor
    query = request.POST.get("query", "")[:4000]
    shared_with = None
    if request.POST.get("share") and actor.department_path:
        shared_with = Department.objects.filter(path=actor.department_path).first()
    try:
        view = services.saved_view_save(actor_user=request.user, name=request.POST.get("name", ""),
                                        params=QueryDict(query), shared_with=shared_with)
    except ApplicationError as error:
        return render(request, "workspace/saved_view_error.html",
                      {"error_message": error.message, "back": _queue_url(query)}, status=error.status_code)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(_queue_url(view.query))


@staff_required
@require_POST
def saved_view_delete(request, pk: int):
    """Delete one of the user's own saved views."""
    try:
        services.saved_view_delete(actor_user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The view has been deleted."))
    return redirect("workorders:queue")


@staff_required
@require_GET
def desk(request):
    """The desk (工作台): the actor's figures by role, each a link to the orders it counts."""
    return render(request, "workspace/desk.html", {"figures": selectors.desk_figures(actor=request.actor)})
