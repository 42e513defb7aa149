"""Corrective-action UI (htmx + Bootstrap): the list, the notice page with its action dialogs, and
the form to raise a notice by hand. Views parse input, call services (writes) and selectors
(reads, scoped to the actor), and turn ApplicationError into a marked form and the matching status.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import add_service_errors, render_list, take_workflow_action
from kefu.improvement import selectors, services, workflow
from kefu.improvement.choices import STATUS_COLORS, Action, Source, Status
from kefu.improvement.filters import CorrectiveActionFilterSet
from kefu.improvement.forms import ACTION_FORMS, NoticeForm
from kefu.org.decorators import staff_required
from kefu.org.models import Department
from kefu.org.selectors import Actor


def _notice_or_404(actor: Actor, pk):
    try:
        return selectors.notice_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _department(pk) -> Department | None:
    if pk in (None, ""):
        return None
    return Department.objects.filter(pk=pk).first()


# --- list ---------------------------------------------------------------------------------------

@staff_required
@require_GET
def notice_list(request):
    actor = request.actor
    return render_list(
        request, queryset=selectors.notice_list_for_actor(actor=actor).order_by("-created_at", "-id"),
        filterset_class=CorrectiveActionFilterSet, page_template="improvement/list.html",
        partial_template="improvement/partials/list_results.html", name="notices",
        context={"status_colors": STATUS_COLORS},
        full_context=lambda: {"statuses": Status.choices, "sources": Source.choices,
                              "departments": list(selectors.department_choices(actor=actor)),
                              "may_create": actor.role in workflow.ISSUER_ROLES,
                              "counts": selectors.counts_by_status(actor=actor)})


# --- create -------------------------------------------------------------------------------------

def _create_context(actor: Actor, form: NoticeForm, **extra) -> dict:
    department = _department(form["responsible_department"].value())
    return {"form": form, "departments": list(selectors.department_choices(actor=actor)),
            "owners": list(selectors.owner_candidates(department=department)) if department else [],
            "selected_department": str(form["responsible_department"].value() or ""),
            "selected_owner": str(form["owner"].value() or ""), **extra}


@staff_required
def notice_create(request):
    actor = request.actor
    if actor.role not in workflow.ISSUER_ROLES:
        raise PermissionDenied(_("Your role may not raise corrective action notices."))
    if request.method != "POST":
        return render(request, "improvement/create.html", _create_context(actor, NoticeForm()))
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return render(request, "improvement/create.html",
                      _create_context(actor, form, error_message=_("Please correct the errors below.")), status=400)
    data = form.cleaned_data
    try:
        notice = services.corrective_action_create(
            actor_user=request.user, title=data["title"], nonconformity=data["nonconformity"],
            responsible_department=_department(data["responsible_department"]),
            owner=selectors.user_by_id(data["owner"]), due_date=data["due_date"], evidence=form.evidence_list(),
            item_code=data.get("item_code") or "")
    except ApplicationError as error:
        add_service_errors(form, error)
        return render(request, "improvement/create.html", _create_context(actor, form, error_message=error.message),
                      status=error.status_code)
    messages.success(request, _("Corrective action notice %(number)s has been issued.") % {"number": notice.number})
    return redirect("improvement:detail", pk=notice.pk)


@staff_required
@require_GET
def owner_options(request):
    """htmx: <option>s of active staff in the chosen department (and below)."""
    try:
        department = Department.objects.filter(pk=int(request.GET.get("responsible_department", ""))).first()
    except (TypeError, ValueError):
        department = None
    owners = list(selectors.owner_candidates(department=department)) if department else []
    return render(request, "improvement/partials/owner_options.html", {"owners": owners, "selected": ""})


# --- the notice page ------------------------------------------------------------------------------

def _action_forms(notice, actions, bound: dict | None = None) -> list[tuple[str, str, object]]:
    result = []
    for name in actions:
        if name == "comment":
            continue
        initial = {"version": notice.version}
        if name == "issue" and notice.responsible_department_id:
            initial["responsible_department"] = notice.responsible_department_id
        form = (bound or {}).get(name) or ACTION_FORMS[name](initial=initial, auto_id=f"id_{name}_%s")
        result.append((name, str(Action(name).label), form))
    return result


def _detail_context(request, actor: Actor, notice, *, failed_action: str = "", failed_form=None,
                    error_message: str = "") -> dict:
    actions = selectors.notice_available_actions(actor=actor, notice=notice)
    bound = {failed_action: failed_form} if failed_form is not None and failed_action != "comment" else {}
    comment_form = failed_form if failed_action == "comment" else ACTION_FORMS["comment"](
        initial={"version": notice.version}, auto_id="id_comment_%s")
    return {
        "notice": notice, "events": list(selectors.notice_events(notice=notice)), "actions": actions,
        "action_forms": _action_forms(notice, actions, bound),
        "comment_form": comment_form if "comment" in actions else None,
        "departments": list(selectors.department_choices(actor=actor)) if "issue" in actions else [],
        "effect": selectors.notice_effect(notice=notice), "status_colors": STATUS_COLORS,
        "failed_action": failed_action, "error_message": error_message,
    }


@staff_required
@require_GET
def detail(request, pk):
    actor = request.actor
    notice = _notice_or_404(actor, pk)
    return render(request, "improvement/detail.html", _detail_context(request, actor, notice))


def _fail(request, actor, notice, *, action: str, form, message: str, status: int):
    if request.htmx:
        return render(request, "improvement/partials/action_form.html", {
            "notice": notice, "name": action, "label": Action(action).label, "form": form,
            "error_message": message, "in_modal": action != "comment",
            "departments": list(selectors.department_choices(actor=actor)) if action == "issue" else []},
            status=status)
    return render(request, "improvement/detail.html", _detail_context(
        request, actor, notice, failed_action=action, failed_form=form, error_message=message), status=status)


@staff_required
@require_POST
def action(request, pk, action):
    """Take one workflow action (form in a dialog); the version the user saw travels along."""
    actor = request.actor
    notice = _notice_or_404(actor, pk)

    def run(data, form):
        if action == "issue":
            data["responsible_department"] = _department(data.get("responsible_department"))
            data["owner"] = selectors.user_by_id(data.get("owner"))
        services.corrective_action_transition(notice=notice, action=action, actor_user=request.user,
                                              expected_version=form.cleaned_data["version"], **data)

    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS, label=Action(action).label if action in Action.values else action,
        run=run, success_url=reverse("improvement:detail", args=[notice.pk]),
        failure=lambda form, message, status: _fail(request, actor, notice, action=action, form=form,
                                                    message=message, status=status))
