"""QA UI (htmx + Bootstrap): the QA queue and the check page with its action forms. Views parse
input, call services (writes) and selectors (reads, scoped to the actor), and turn
ApplicationError into a marked form with the matching status."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import NotFound
from kefu.core.pages import render_list, take_workflow_action
from kefu.org.decorators import staff_required
from kefu.quality import selectors, services
from kefu.quality.choices import STATUS_COLORS, CheckAction, CheckStatus
from kefu.quality.filters import QACheckFilterSet
from kefu.quality.forms import ACTION_FORMS, make_form
from kefu.workorders.selectors import work_order_events

ORDER_NOTES = 20


@staff_required
@require_GET
def check_list(request):
    """The QA queue: checks waiting for scoring first; filters by status, agent and week."""
    actor = request.actor
    return render_list(
        request, queryset=selectors.check_list_for_actor(actor=actor).order_by("status", "-week_start", "agent_id", "id"),
        filterset_class=QACheckFilterSet, page_template="quality/list.html",
        partial_template="quality/partials/list_results.html", name="checks", context={"status_colors": STATUS_COLORS},
        full_context=lambda: {"statuses": CheckStatus.choices, "counts": selectors.counts_by_status(actor=actor),
                              "agents": list(selectors.agent_choices(actor=actor))})


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
    order = check.work_order
    # The order's written notes (events with text), newest first: what the agent recorded.
    notes = list(work_order_events(order=order).exclude(body="").reverse()[:ORDER_NOTES])
    return {"check": check, "order": order, "items": selectors.check_item_scores(check=check), "order_notes": notes,
            "events": list(selectors.check_events(check=check)), "action_forms": forms,
            "status_colors": STATUS_COLORS, "failed_action": failed_action, "error_message": error_message}


@staff_required
@require_GET
def detail(request, pk):
    actor = request.actor
    check = _check_or_404(actor, pk)
    return render(request, "quality/detail.html", _context(actor, check))


def _form_field(field: str) -> str:
    """The form's field for a service field: `scores.<code>` → `score_<code>`."""
    return "score_" + field.split(".", 1)[1] if field.startswith("scores.") else field


@staff_required
@require_POST
def action(request, pk, action):
    """Take one action; the version the user saw travels along (409 if it changed)."""
    actor = request.actor
    check = _check_or_404(actor, pk)
    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=CheckAction(action).label if action in ACTION_FORMS else "",
        make_form=lambda name, post: make_form(name, check, post), field_name=_form_field,
        run=lambda data, form: services.qa_check_transition(check=check, action=action, actor_user=request.user,
                                                            expected_version=form.cleaned_data["version"], **data),
        success_url=reverse("quality:detail", args=[check.pk]),
        failure=lambda form, message, status: render(request, "quality/detail.html", _context(
            actor, check, failed_action=action, failed_form=form, error_message=message), status=status))
