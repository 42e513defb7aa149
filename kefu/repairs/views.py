"""Repair pages: the records of visible repair orders (the repair history, by equipment or unit),
one record with its forms (appointment and work, parts, quote, charge, the customer's signature),
its printable 《维修工作单》 (PDF), the signature image, and the equipment register with each
piece's history. Views call services and selectors only."""

from typing import Any

import django_filters
from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import render_list
from kefu.org.decorators import staff_required
from kefu.repairs import exports, selectors, services, workflow
from kefu.repairs.choices import RecordAction, RecordStatus
from kefu.repairs.forms import ACTION_FORMS, AddPartForm, CollectForm, QuoteForm, SignForm, UpdateForm
from kefu.repairs.models import Equipment, RepairRecord
from kefu.workorders.choices import PlanStatus
from kefu.workorders.selectors import can_work_on


class RepairRecordFilterSet(django_filters.FilterSet):
    number = django_filters.CharFilter(field_name="work_order__number", lookup_expr="icontains",
                                       label=gettext_lazy("Order no."), max_length=32)
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=gettext_lazy("Status"))
    equipment = django_filters.ModelChoiceFilter(queryset=Equipment.objects.all(), label=gettext_lazy("Equipment"))
    paid = django_filters.BooleanFilter(field_name="is_paid", label=gettext_lazy("Paid repair"),
                                        widget=forms.Select(choices=[("", "—"), ("true", gettext_lazy("Paid")),
                                                                     ("false", gettext_lazy("Free"))]))

    class Meta:
        model = RepairRecord
        fields = ["number", "status", "equipment", "paid"]


def _record(request: HttpRequest, pk: int) -> RepairRecord:
    try:
        return selectors.record_get_for_actor(actor=request.actor, pk=pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@staff_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, queryset=selectors.record_list_for_actor(actor=request.actor),  # type: ignore[attr-defined]
                       filterset_class=RepairRecordFilterSet, name="records",
                       page_template="repairs/list.html", partial_template="repairs/partials/list_results.html")


def _detail_context(request: HttpRequest, record: RepairRecord, **extra: Any) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    order = record.work_order
    may_work = can_work_on(actor, order)
    allowed = set(workflow.TABLE.allowed(status=record.status, role=actor.role)) if may_work else set()
    initial = {"version": record.version}
    forms_ = {
        "update": UpdateForm(initial={**initial, "equipment": record.equipment_id,
                                      "appointment_start": record.appointment_start,
                                      "appointment_end": record.appointment_end, "fault": record.fault,
                                      "work_done": record.work_done, "labour_minutes": record.labour_minutes,
                                      "is_paid": record.is_paid, "labour_charge": record.labour_charge},
                             auto_id="id_update_%s"),
        "add_part": AddPartForm(initial=initial, auto_id="id_add_part_%s"),
        "submit_quote": QuoteForm(initial=initial, auto_id="id_submit_quote_%s"),
        "collect": CollectForm(initial={**initial, "amount": record.quote_amount}, auto_id="id_collect_%s"),
        "sign": SignForm(initial=initial, auto_id="id_sign_%s"),
    }
    failed = extra.get("failed_action")
    if failed in forms_ and extra.get("failed_form") is not None:
        forms_[failed] = extra["failed_form"]
    quote_state = order.plan_status if record.quote_amount is not None else ""
    quote_current = record.quote_amount is not None and record.quote_amount == record.total
    may_quote = (record.is_paid and record.total > 0 and "submit_quote" in allowed and quote_state != PlanStatus.PENDING
                 and (not quote_current or quote_state == PlanStatus.REJECTED))
    may_collect = "collect" in allowed and quote_current and quote_state == PlanStatus.APPROVED
    return {"record": record, "order": order, "parts": list(record.parts.all()),
            "events": list(record.events.select_related("actor__staff").order_by("created_at", "id")),
            "forms": forms_, "allowed": allowed, "quote_state": quote_state, "plan_statuses": PlanStatus,
            "quote_current": quote_current, "may_quote": may_quote, "may_collect": may_collect,
            **extra}


@staff_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    return render(request, "repairs/detail.html", _detail_context(request, record))


@staff_required
@require_POST
def record_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from kefu.core.pages import take_workflow_action

    record = _record(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=str(RecordAction(action).label),
        run=lambda data, form: services.repair_record_transition(
            record=record, action=action, actor_user=request.user,
            expected_version=form.cleaned_data["version"], **data),
        success_url=reverse("repairs:detail", args=[record.pk]) + f"#{action.replace('_', '-')}",
        failure=lambda form, message, status: render(request, "repairs/detail.html", _detail_context(
            request, _record(request, pk), failed_action=action, failed_form=form, error_message=message),
            status=status))


@staff_required
@require_POST
def record_open(request: HttpRequest, order_pk: int) -> HttpResponse:
    """Open (or find) the repair record of a repair order and go to it."""
    from django.contrib import messages

    try:
        record, _created = services.repair_record_open(work_order=order_pk, actor_user=request.user)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("workorders:detail", args=[order_pk]))
    return redirect(reverse("repairs:detail", args=[record.pk]))


@staff_required
@require_GET
def sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    response = HttpResponse(exports.repair_sheet_pdf(record=record, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="repair-{record.work_order.number}.pdf"'
    return response


@staff_required
@require_GET
def signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    record = _record(request, pk)
    if not record.signature:
        raise Http404
    response = FileResponse(record.signature.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def equipment_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, queryset=selectors.equipment_list(), name="equipment",
                       page_template="repairs/equipment_list.html",
                       partial_template="repairs/partials/equipment_results.html")


@staff_required
@require_GET
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A piece of equipment and its repair history (the records of the orders the user may see)."""
    equipment = selectors.equipment_list().filter(pk=pk).first()
    if equipment is None:
        raise Http404
    records = selectors.record_list_for_actor(actor=request.actor).filter(equipment=equipment)  # type: ignore[attr-defined]
    return render_list(request, queryset=records, name="records", page_template="repairs/equipment_detail.html",
                       partial_template="repairs/partials/list_results.html", context={"equipment": equipment})
