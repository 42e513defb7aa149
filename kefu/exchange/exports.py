"""Export of a list to xlsx with the list's own filters, masked unless the reader may (and asks to)
see personal data in full.

`export_queryset(list_name, actor, params)` scopes and filters exactly as the list page does
(the list's selector and FilterSet); `write_xlsx` streams the rows through openpyxl's write-only
mode into a temporary file, so memory stays flat however long the list.
"""

import tempfile
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.core.errors import NotFound
from kefu.core.filtering import non_empty
from kefu.core.masking import mask_phone
from kefu.core.spreadsheet import append_row
from kefu.org.selectors import Actor
from kefu.privacy.masking import mask_id

MAX_ROWS = 200_000
SEARCH_ROWS = 5_000


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _user(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else user.get_username()


@dataclass
class Spec:
    title: str
    headers: list[str]
    queryset: QuerySet
    row: object  # (obj, unmasked: bool) → list


def _work_orders(actor: Actor, params) -> Spec:
    from kefu.workorders import selectors
    from kefu.workorders.filters import WorkOrderFilterSet

    qs = selectors.work_order_list_for_actor(actor=actor)
    queue = params.get("queue")
    if queue in selectors.QUEUES:
        qs = qs.filter(selectors.queue_q(actor=actor, queue=queue))
    filterset = WorkOrderFilterSet(non_empty(params), queryset=qs, actor=actor)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    if not params.get("ordering"):
        qs = qs.order_by("-received_at", "-id")

    def row(o, unmasked):
        return [o.number, o.get_type_display(), o.get_status_display(), o.get_priority_display(), o.title,
                o.customer.name if o.customer_id else "", o.contact_name,
                o.contact_phone if unmasked else mask_phone(o.contact_phone),
                o.site.name if o.site_id else "", o.asset.code if o.asset_id else "",
                o.category.display_name if o.category_id else "", o.team.name if o.team_id else "",
                _user(o.assignee), _local(o.received_at), _local(o.promised_at)]

    return Spec(pgettext("export", "Work orders"), [
        _("Number"), _("Type"), _("Status"), _("Priority"), _("Title"), _("Customer"), _("Contact name"),
        _("Contact phone"), _("Site"), pgettext("export", "Unit / asset"), _("Category"), _("Team"),
        _("Assignee"), pgettext("export", "Received"), pgettext("export", "Promised")], qs, row)


def _callbacks(actor: Actor, params) -> Spec:
    from kefu.callbacks import selectors
    from kefu.callbacks.filters import CallbackFilterSet

    qs = selectors.callback_list_for_actor(actor=actor)
    queue = params.get("queue")
    if queue in selectors.QUEUES:
        qs = qs.filter(selectors.queue_q(actor=actor, queue=queue)).order_by(*selectors.queue_ordering(queue))
    filterset = CallbackFilterSet(non_empty(params), queryset=qs)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    qs = qs.select_related("work_order", "customer", "team", "assignee__staff").prefetch_related("customer__phones")

    def row(c, unmasked):
        phones = [p.number for p in c.customer.phones.all()] if c.customer_id else []
        return [c.pk, c.work_order.number if c.work_order_id else "", c.customer.name if c.customer_id else "",
                ", ".join(p if unmasked else mask_phone(p) for p in phones), c.get_source_display(),
                c.get_status_display(), _local(c.due_at), c.team.name if c.team_id else "", _user(c.assignee),
                c.attempts_count, c.get_outcome_display() if c.outcome else "", _local(c.completed_at)]

    return Spec(_("Callbacks"), [
        "ID", pgettext("export", "Work order"), _("Customer"), pgettext("export", "Phones"), _("Source"),
        _("Status"), pgettext("export", "Due"), _("Team"), _("Assignee"), pgettext("export", "Attempts"),
        pgettext("export", "Outcome"), pgettext("export", "Completed")], qs, row)


def _customers(actor: Actor, params) -> Spec:
    from kefu.customers.models import CustomerAsset
    from kefu.privacy.selectors import customers_for_actor

    qs = customers_for_actor(actor=actor)
    if (params.get("q") or "").strip():
        from kefu.customers.selectors import customer_search

        # The list page's own lookup (ranked, scoped); the export keeps its matches, more of them.
        qs = qs.filter(pk__in=[c.pk for c in customer_search(q=params["q"], limit=SEARCH_ROWS, actor=actor)])
    qs = qs.prefetch_related("phones", Prefetch("asset_links", queryset=CustomerAsset.objects.filter(
        ended_on=None).select_related("asset"))).order_by("name", "id")

    def row(c, unmasked):
        phones = [p.number for p in c.phones.all()]
        id_number = getattr(c, "id_number", "") or ""
        return [c.pk, c.name, c.get_kind_display(), ", ".join(p if unmasked else mask_phone(p) for p in phones),
                id_number if unmasked else mask_id(id_number), c.email,
                ", ".join(f"{link.asset.code} ({link.get_relation_display()})" for link in c.asset_links.all())]

    return Spec(_("Customers"), ["ID", _("Name"), pgettext("export", "Kind"), pgettext("export", "Phones"),
                                 pgettext("export", "ID number"), pgettext("export", "Email"),
                                 pgettext("export", "Units and accounts")], qs, row)


def _units(actor: Actor, params) -> Spec:
    from kefu.customers.filters import UnitFilterSet
    from kefu.customers.models import Asset, CustomerAsset
    from kefu.customers.selectors import unit_list
    from kefu.privacy.selectors import customers_for_actor

    visible = customers_for_actor(actor=actor)
    # The list page's filters: the file holds what the page lists (the page shows a bad filter as a
    # 400; the file is then empty).
    filterset = UnitFilterSet(non_empty(params), queryset=unit_list(actor=actor))
    qs = filterset.qs if filterset.is_valid() else Asset.objects.none()
    links = CustomerAsset.objects.filter(ended_on=None, customer__in=visible).select_related("customer").prefetch_related(
        "customer__phones")
    qs = qs.prefetch_related(Prefetch("customer_links", queryset=links)).order_by("code_sort", "id")

    def row(a, unmasked):
        people = [link.customer for link in a.customer_links.all()]
        phones = [p.number for c in people for p in c.phones.all()]
        return [a.code, a.site.name if a.site_id else "", a.building.name if a.building_id else "",
                a.floor if a.floor is not None else "", ", ".join(c.name for c in people),
                ", ".join(p if unmasked else mask_phone(p) for p in phones)]

    return Spec(pgettext("export", "Units"), [pgettext("export", "Unit code"), _("Site"),
                                              pgettext("export", "Building"), pgettext("export", "Floor"),
                                              pgettext("export", "Occupants"), pgettext("export", "Phones")],
                qs, row)


LISTS = {"work-orders": _work_orders, "callbacks": _callbacks, "customers": _customers, "units": _units}


def export_spec(*, list_name: str, actor: Actor, params) -> Spec:
    """The list's rows as its page shows them to this actor (scope, then the list's filters)."""
    builder = LISTS.get(list_name)
    if builder is None:
        raise NotFound(pgettext("privacy", "Not found."))
    return builder(actor, params)


def write_xlsx(spec: Spec, *, unmasked: bool):
    """Write the rows into a temporary xlsx file; returns (file positioned at 0, row count)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.title[:31])
    bold = Font(bold=True)
    header = []
    for text in spec.headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for obj in spec.queryset[:MAX_ROWS].iterator(chunk_size=2000):
        append_row(sheet, spec.row(obj, unmasked))  # type: ignore[operator]  # values of several types in one dict or variable
        count += 1
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, count
