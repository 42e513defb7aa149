"""QA UI (htmx + Bootstrap): the QA queue and the check page with its action forms. Views parse
input, call services (writes) and selectors (reads, scoped to the actor), and turn
ApplicationError into a marked form with the matching status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.filtering import non_empty
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator
from kefu.org.selectors import Actor, actor_for_user
from kefu.quality import selectors, services
from kefu.quality.choices import STATUS_COLORS, CheckAction, CheckStatus
from kefu.quality.filters import QACheckFilterSet
from kefu.quality.forms import ACTION_FORMS, make_form

PAGE_SIZE = 25


def _actor(request) -> Actor:
    actor = actor_for_user(request.user)
    if actor is None:
        raise PermissionDenied(_("Only active staff may use the QA pages."))
    return actor


@login_required
@require_GET
def check_list(request):
    """The QA queue: checks waiting for scoring first; filters by status, agent and week."""
    actor = _actor(request)
    qs = selectors.check_list_for_actor(actor=actor).order_by("status", "-week_start", "agent_id", "id")
    filterset = QACheckFilterSet(non_empty(request.GET), queryset=qs, request=request)
    filter_errors = None
    if filterset.is_valid():
        qs = filterset.qs
    else:
        filter_errors = filterset.errors
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "checks": page.object_list, "filter_errors": filter_errors, "params": request.GET,
               "status_colors": STATUS_COLORS}
    partial = is_partial(request) and not request.htmx.history_restore_request
    if not partial:
        context.update(statuses=CheckStatus.choices, counts=selectors.counts_by_status(actor=actor),
                       agents=list(selectors.agent_choices(actor=actor)))
    template = "quality/partials/list_results.html" if partial else "quality/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _check_or_404(actor, pk):
    try:
        return selectors.check_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _context(actor, check, *, failed_action: str = "", failed_form=None, error_message: str = "") -> dict:
    actions = selectors.check_available_actions(actor=actor, check=check)
    forms = []
    for name in actions:
        form = failed_form if name == failed_action and failed_form is not None else make_form(name, check)
        forms.append((name, CheckAction(name).label, form))
    return {"check": check, "order": check.work_order, "items": selectors.check_item_scores(check=check),
            "events": list(selectors.check_events(check=check)), "action_forms": forms,
            "status_colors": STATUS_COLORS, "failed_action": failed_action, "error_message": error_message}


@login_required
@require_GET
def detail(request, pk):
    actor = _actor(request)
    check = _check_or_404(actor, pk)
    return render(request, "quality/detail.html", _context(actor, check))


@login_required
@require_POST
def action(request, pk, action):
    """Take one action; the version the user saw travels along (409 if it changed)."""
    actor = _actor(request)
    check = _check_or_404(actor, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = make_form(action, check, request.POST)
    if not form.is_valid():
        return render(request, "quality/detail.html", _context(
            actor, check, failed_action=action, failed_form=form, error_message=_("Please correct the errors below.")),
            status=400)
    try:
        services.qa_check_transition(check=check, action=action, actor_user=request.user,
                                     expected_version=form.cleaned_data["version"], **form.service_data())
    except ApplicationError as error:
        for field, msgs in error.fields.items():
            name = "score_" + field.split(".", 1)[1] if field.startswith("scores.") else field
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)
        return render(request, "quality/detail.html", _context(
            actor, check, failed_action=action, failed_form=form, error_message=error.message),
            status=error.status_code)
    messages.success(request, _("%(action)s: done.") % {"action": CheckAction(action).label})
    return redirect("quality:detail", pk=check.pk)
