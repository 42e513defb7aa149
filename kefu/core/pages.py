"""The HTML side of the kernel: one list-page helper and one workflow-action view helper.

List pages (a FilterSet shared with the API, a capped pager, an htmx partial for the results):

    @staff_required
    @require_GET
    def notice_list(request):
        return render_list(request, queryset=selectors.notice_list_for_actor(actor=request.actor),
                           filterset_class=NoticeFilterSet, page_template="notices/list.html",
                           partial_template="notices/partials/list_results.html", name="notices",
                           full_context=lambda: {"statuses": Status.choices})

Workflow actions from a dialog (the version the user saw travels along as a hidden field):

    return take_workflow_action(request, action=action, forms=ACTION_FORMS, label=Action(action).label,
                                run=lambda data, form: services.notice_transition(...),
                                success_url=reverse("notices:detail", args=[notice.pk]),
                                failure=lambda form, message, status: render(...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from kefu.core.errors import ApplicationError
from kefu.core.filtering import non_empty
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any], *, page_size: int = PAGE_SIZE) -> Page[Any]:
    """The requested page of a capped paginator (an out-of-range page gives the last one)."""
    return CappedPaginator(queryset, page_size).get_page(request.GET.get("page"))


def filter_queryset(request: HttpRequest, queryset: QuerySet[Any], filterset_class: Any,
                    **kwargs: Any) -> tuple[QuerySet[Any], Any, dict[str, Any] | None]:
    """(filtered queryset, the bound FilterSet, its errors or None). Empty parameters mean "any";
    invalid ones leave the list unfiltered and are shown on the form."""
    filterset = filterset_class(non_empty(request.GET), queryset=queryset, request=request, **kwargs)
    if filterset.is_valid():
        return filterset.qs, filterset, None
    return queryset, filterset, filterset.errors


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for the results only (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return is_partial(request) and not (htmx and htmx.history_restore_request)


def render_list(request: HttpRequest, *, queryset: QuerySet[Any], page_template: str, partial_template: str,
                name: str = "items", filterset_class: Any = None, page_size: int = PAGE_SIZE,
                context: dict[str, Any] | None = None,
                full_context: Callable[[], dict[str, Any]] | None = None, status: int = 200) -> HttpResponse:
    """Filter, paginate and render a list page, or only its results for an htmx request.

    The context has `page`, `<name>` (the page's rows), `filterset`, `filter_errors`, `params`,
    plus `context`; `full_context()` (filter choices, counts) is computed for whole pages only."""
    filterset = filter_errors = None
    if filterset_class is not None:
        queryset, filterset, filter_errors = filter_queryset(request, queryset, filterset_class)
    page = paginate(request, queryset, page_size=page_size)
    values: dict[str, Any] = {"page": page, name: page.object_list, "filterset": filterset,
                              "filter_errors": filter_errors, "params": request.GET, **(context or {})}
    partial = wants_partial(request)
    if not partial and full_context is not None:
        values.update(full_context())
    response = render(request, partial_template if partial else page_template, values, status=status)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def add_service_errors(form: forms.Form, error: ApplicationError,
                       field_name: Callable[[str], str] | None = None) -> None:
    """Put a service's per-field refusals on the form (unknown fields become form errors).

    `field_name(service_field)`: the form's name for a service field when they differ (a QA
    check's `scores.<code>` is the form's `score_<code>`)."""
    for field, msgs in error.fields.items():
        name = field_name(field) if field_name is not None else field
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


def redirect_after_action(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a redirect, or for htmx a 204 with HX-Redirect."""
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def take_workflow_action(request: HttpRequest, *, action: str, forms: dict[str, type[forms.Form]], label: str,
                         run: Callable[[dict[str, Any], forms.Form], Any], success_url: str,
                         failure: Callable[[forms.Form, str, int], HttpResponse],
                         make_form: Callable[[str, Any], forms.Form] | None = None,
                         field_name: Callable[[str], str] | None = None,
                         success_message: str | None = None) -> HttpResponse:
    """One workflow action posted from a dialog: the action's form, the service, the answer.

    An unknown action is 404. An invalid form answers 400 through `failure(form, message, 400)`;
    a service refusal puts its field errors on the form and answers with its own status (403,
    409…). `run(data, form)` gets the form's `service_data()` (or cleaned data) with `version`
    removed and `form.cleaned_data["version"]` available; it may raise ApplicationError. On
    success: a message and a redirect to `success_url` (204 + HX-Redirect for htmx).

    `make_form(action, POST)`: builds the bound form when it needs more than the POST (the
    record's own fields); `field_name`: see `add_service_errors`; `success_message` replaces the
    generic "<label>: done." when the action has its own words."""
    form_class = forms.get(action)
    if form_class is None:
        raise Http404
    form = make_form(action, request.POST) if make_form is not None else form_class(request.POST,
                                                                                   auto_id=f"id_{action}_%s")
    if not form.is_valid():
        return failure(form, _("Please correct the errors below."), 400)
    service_data = getattr(form, "service_data", None)
    data = dict(service_data() if callable(service_data) else form.cleaned_data)
    data.pop("version", None)
    try:
        run(data, form)
    except ApplicationError as error:
        add_service_errors(form, error, field_name)
        return failure(form, error.message, error.status_code)
    messages.success(request, success_message or _("%(action)s: done.") % {"action": label})
    return redirect_after_action(request, success_url)
