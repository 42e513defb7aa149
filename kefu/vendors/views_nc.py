"""Nonconformity pages: the list (a vendor user sees their own vendor's only; filter by status)
and one nonconformity with its history, where the vendor replies with the rectification and an
inspector verifies (closes) or rejects it — each through the kernel's gate (409 on a stale page)."""

from typing import Any

import django_filters
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import NotFound
from kefu.core.pages import render_list, take_workflow_action
from kefu.org.decorators import staff_required
from kefu.vendors import selectors, services, workflow
from kefu.vendors.choices import NonconformityAction, NonconformityStatus
from kefu.vendors.forms import ReplyForm, VerificationForm
from kefu.vendors.models import Nonconformity

ACTION_FORMS: dict[str, Any] = {NonconformityAction.REPLY: ReplyForm, NonconformityAction.VERIFY: VerificationForm,
                                NonconformityAction.REJECT: VerificationForm}


class NonconformityFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NonconformityStatus.choices, label=gettext_lazy("Status"))

    class Meta:
        model = Nonconformity
        fields = ["status"]


def _nc(request: HttpRequest, pk: int) -> Nonconformity:
    try:
        found: Nonconformity = selectors.get_for_actor(
            selectors.nonconformity_list_for_actor(actor=request.actor), pk, "")  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    return found


@staff_required
@require_GET
def nonconformity_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, queryset=selectors.nonconformity_list_for_actor(actor=request.actor),  # type: ignore[attr-defined]
                       filterset_class=NonconformityFilterSet, name="items",
                       page_template="vendors/nonconformity_list.html",
                       partial_template="vendors/nonconformity_list.html")


def _context(request: HttpRequest, nc: Nonconformity, **extra: Any) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    allowed = workflow.NONCONFORMITY_TABLE.allowed(status=nc.status, role=actor.role)
    forms_ = {name: ACTION_FORMS[name](initial={"version": nc.version}, auto_id=f"id_{name}_%s") for name in allowed}
    if extra.get("failed_action") in forms_:
        forms_[extra["failed_action"]] = extra["failed_form"]
    return {"nc": nc, "events": nc.events.select_related("actor__staff").order_by("created_at", "id"),
            "action_forms": [(name, NonconformityAction(name).label, form) for name, form in forms_.items()], **extra}


@staff_required
@require_GET
def nonconformity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "vendors/nonconformity_detail.html", _context(request, _nc(request, pk)))


@staff_required
@require_POST
def nonconformity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    nc = _nc(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=str(NonconformityAction(action).label),
        run=lambda data, form: services.nonconformity_transition(
            nonconformity=nc, action=action, actor_user=request.user,
            expected_version=form.cleaned_data["version"], **data),
        success_url=reverse("vendors:nonconformity", args=[nc.pk]),
        failure=lambda form, message, status: render(request, "vendors/nonconformity_detail.html", _context(
            request, _nc(request, pk), failed_action=action, failed_form=form, error_message=message), status=status))
