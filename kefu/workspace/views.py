"""Pages that assemble several apps: the customer 360 page and the units list (URL names
`customers:detail` and `customers:units`, wired into the customers namespace by config/urls.py).
Thin: the owning apps' selectors read, kefu.workspace.selectors puts them together."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.core.filtering import non_empty
from kefu.core.pagination import CappedPaginator
from kefu.customers import selectors as customers
from kefu.customers.choices import UnitStatus, UnitUse
from kefu.customers.filters import UnitFilterSet
from kefu.customers.services import ARCHIVE_ROLES
from kefu.org.decorators import staff_required
from kefu.workspace import selectors

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
