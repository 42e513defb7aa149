"""Notice pages: the list, compose (with a preview of the text, the SMS parts and the recipients),
a notice with its sending progress (polled by htmx while it sends) and its workflow actions.
Views parse input and call services and selectors only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import add_service_errors, render_list, take_workflow_action
from kefu.customers.models import Asset
from kefu.customers.selectors import asset_visibility_q, buildings_for, sites_for
from kefu.notices import selectors, services, workflow
from kefu.notices.choices import NoticeAction, NoticeStatus
from kefu.notices.forms import ACTION_FORMS, NoticeForm
from kefu.notices.models import Notice
from kefu.org.decorators import staff_required

STATUS_COLORS = {NoticeStatus.DRAFT: "secondary", NoticeStatus.PENDING_APPROVAL: "warning",
                 NoticeStatus.APPROVED: "info", NoticeStatus.SENDING: "primary", NoticeStatus.SENT: "success",
                 NoticeStatus.CANCELLED: "dark"}


def _notice_or_404(request: HttpRequest, pk: Any) -> Notice:
    try:
        return selectors.notice_get_for_actor(actor=request.actor, pk=pk)  # type: ignore[attr-defined]  # set by the middleware
    except NotFound:
        raise Http404 from None


@staff_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]  # set by the middleware
    qs = selectors.notice_list_for_actor(actor=actor)
    if request.GET.get("status") in NoticeStatus.values:
        qs = qs.filter(status=request.GET["status"])
    return render_list(request, queryset=qs, page_template="notices/list.html",
                       partial_template="notices/partials/list_results.html", name="notices",
                       context={"status_colors": STATUS_COLORS},
                       full_context=lambda: {"statuses": NoticeStatus.choices,
                                             "may_write": actor.role in workflow.WRITER_ROLES})


def _form(request: HttpRequest, data: Any = None) -> NoticeForm:
    actor = request.actor  # type: ignore[attr-defined]  # set by the middleware
    sites = [(s.pk, s.name) for s in sites_for(actor=actor).order_by("code")]
    buildings = [(b.pk, f"{b.site.name} {b.name}") for b in buildings_for(actor=actor)]
    return NoticeForm(data, sites=sites, buildings=buildings)


def _service_values(request: HttpRequest, form: NoticeForm) -> dict[str, Any]:
    """The form's values as the service takes them; unit codes become ids (unknown ones: an error
    on `units`, unseen units are unknown)."""
    data = form.cleaned_data
    target: dict[str, list] = {}
    for key in ("sites", "buildings"):
        if data[key]:
            target[key] = data[key]
    codes = data["units"]
    if codes:
        found = dict(Asset.objects.filter(asset_visibility_q(request.actor),  # type: ignore[attr-defined]  # set by the middleware
                                          code__in=codes).values_list("code", "pk"))
        missing = [c for c in codes if c not in found]
        if missing:
            from kefu.core.errors import field_error

            raise field_error("units", _("Unknown unit: %(value)s") % {"value": missing[0]})
        target["units"] = [found[c] for c in codes]
    if data["tags"]:
        target["tags"] = data["tags"]
    return {"title": data["title"], "body": data["body"], "channels": list(data["channels"]), "target": target,
            "send_at": data["send_at"], "urgent": data["urgent"]}


def _preview(notice_title: str, body: str) -> dict[str, Any]:
    from kefu.notifications.accounts import account_for
    from kefu.notifications.sms import sms_parts
    from kefu.notifications.templates_text import render as render_text

    text = render_text("notice", "zh-hans", {"title": notice_title, "body": body})[0]
    sign_name = (account_for("sms") or {}).get("sign_name", "")
    return {"text": text, "sign_name": sign_name, "sms_parts": sms_parts(text, sign_name)}


@staff_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest) -> HttpResponse:
    if request.actor.role not in workflow.WRITER_ROLES:  # type: ignore[attr-defined]  # set by the middleware
        raise Http404
    if request.method != "POST":
        return render(request, "notices/create.html", {"form": _form(request)})
    form = _form(request, request.POST)
    if not form.is_valid():
        return render(request, "notices/create.html",
                      {"form": form, "error_message": _("Please correct the errors below.")}, status=400)
    try:
        notice = services.notice_create(actor_user=request.user, **_service_values(request, form))
    except ApplicationError as error:
        add_service_errors(form, error)
        return render(request, "notices/create.html", {"form": form, "error_message": error.message},
                      status=error.status_code)
    messages.success(request, _("The notice is saved as a draft: check it and submit it."))
    return redirect("notices:detail", pk=notice.pk)


@staff_required
@require_POST
def notice_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the text as customers get it, its SMS parts and whom the audience reaches (nothing is saved)."""
    if request.actor.role not in workflow.WRITER_ROLES:  # type: ignore[attr-defined]  # set by the middleware
        raise Http404
    form = _form(request, request.POST)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        context.update(_preview(form.cleaned_data["title"], form.cleaned_data["body"]))
        try:
            values = _service_values(request, form)
            services._clean(**{k: v for k, v in values.items() if k != "urgent"})
        except ApplicationError as error:
            context["error_message"] = "; ".join(m for msgs in error.fields.values() for m in msgs) or error.message
        else:
            from kefu.notices.selectors import target_customers

            context["recipients"] = target_customers(values["target"]).count()
    return render(request, "notices/partials/preview.html", context)


def _detail_context(request: HttpRequest, notice: Notice, *, failed_action: str = "", failed_form: Any = None,
                    error_message: str = "") -> dict[str, Any]:
    actions = workflow.TABLE.allowed(status=notice.status, role=request.actor.role)  # type: ignore[attr-defined]  # set by the middleware
    forms = []
    for name in actions:
        form = failed_form if name == failed_action and failed_form is not None else ACTION_FORMS[name](
            initial={"version": notice.version}, auto_id=f"id_{name}_%s")
        forms.append((name, NoticeAction(name).label, form))
    return {"notice": notice, "action_forms": forms, "error_message": error_message,
            "failed_action": failed_action, "status_colors": STATUS_COLORS,
            "events": list(notice.events.select_related("actor__staff").order_by("id")),
            "audience": selectors.audience_labels(notice.target),
            **_preview(notice.title, notice.body), **_progress_context(notice)}


def _progress_context(notice: Notice) -> dict[str, Any]:
    figures = selectors.notice_figures(notice)
    expected = selectors.notice_expected_recipients(notice)
    done = figures["sent"] + figures["failed"] + figures["logged"] + figures["suppressed"]
    total = max(expected, figures["recipients"])
    return {"figures": figures, "expected": total, "done": done,
            "percent": int(done * 100 / total) if total else (100 if notice.status == NoticeStatus.SENT else 0),
            "polling": notice.status == NoticeStatus.SENDING or (
                notice.status == NoticeStatus.SENT and figures["queued"] > 0)}


@staff_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "notices/detail.html", _detail_context(request, _notice_or_404(request, pk)))


@staff_required
@require_GET
def notice_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx, every few seconds while the notice sends: the delivery figures."""
    notice = _notice_or_404(request, pk)
    return render(request, "notices/partials/progress.html", {"notice": notice, **_progress_context(notice)})


@staff_required
@require_POST
def notice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    notice = _notice_or_404(request, pk)
    return take_workflow_action(
        request, action=action, forms=ACTION_FORMS,
        label=str(NoticeAction(action).label) if action in NoticeAction.values else action,
        run=lambda data, form: services.notice_transition(
            notice=notice, action=action, actor_user=request.user,
            expected_version=form.cleaned_data["version"], **data),
        success_url=reverse("notices:detail", args=[notice.pk]),
        failure=lambda form, message, status: render(request, "notices/detail.html", _detail_context(
            request, notice, failed_action=action, failed_form=form, error_message=message), status=status))


@staff_required
@require_GET
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The lobby version: a printable A4 PDF."""
    from kefu.notices.exports import notice_pdf

    notice = _notice_or_404(request, pk)
    response = HttpResponse(notice_pdf(notice=notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response
