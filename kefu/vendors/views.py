"""Vendor pages: the monthly scorecards (list), one scorecard explained line by line with the
records behind each line, recomputed while a draft, signed off by a manager, and its settlement
statement downloaded as xlsx or PDF. Views call services and selectors only."""


from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import render_list
from kefu.org.decorators import staff_required
from kefu.vendors import exports, selectors, services, workflow
from kefu.vendors.choices import Metric, ScorecardStatus


def _card(request, pk):
    try:
        return selectors.scorecard_get_for_actor(actor=request.actor, pk=pk)
    except NotFound:
        raise Http404 from None


@staff_required
@require_GET
def scorecard_list(request):
    return render_list(request, queryset=selectors.scorecard_list_for_actor(actor=request.actor),
                       page_template="vendors/scorecard_list.html", partial_template="vendors/scorecard_list.html",
                       name="cards")


@staff_required
@require_GET
def scorecard_detail(request, pk):
    card = _card(request, pk)
    actor = request.actor
    return render(request, "vendors/scorecard_detail.html", {
        "card": card, "lines": card.lines.order_by("sequence"), "manual": Metric.MANUAL,
        "may_sign": card.status == ScorecardStatus.DRAFT and actor.role in workflow.SIGNER_ROLES,
        "may_compute": card.status == ScorecardStatus.DRAFT and actor.role in workflow.MANAGER_ROLES})


@staff_required
@require_POST
def scorecard_sign(request, pk):
    card = _card(request, pk)
    try:
        services.scorecard_sign(scorecard=card, actor_user=request.user,
                                expected_version=int(request.POST.get("version") or card.version))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The scorecard is signed off."))
    return redirect(reverse("vendors:scorecard", args=[card.pk]))


@staff_required
@require_POST
def scorecard_recompute(request, pk):
    card = _card(request, pk)
    manual = {}
    for line in card.lines.filter(metric=Metric.MANUAL):
        value = request.POST.get(f"manual_{line.sequence}", "").strip()
        if value:
            manual[line.sequence] = value
    try:
        services.scorecard_compute(actor_user=request.user, vendor=card.vendor, month=card.month, manual=manual)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The scorecard is computed again from the records."))
    return redirect(reverse("vendors:scorecard", args=[card.pk]))


@staff_required
@require_GET
def statement(request, pk, kind):
    card = _card(request, pk)
    if kind == "xlsx":
        body, content_type = exports.statement_xlsx(card=card), (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif kind == "pdf":
        body, content_type = exports.statement_pdf(card=card), "application/pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="statement-{card.vendor_id}-{card.month:%Y-%m}.{kind}"'
    return response


