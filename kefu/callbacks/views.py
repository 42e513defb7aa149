"""Callback pages (htmx + Bootstrap): the queue ("due today", overdue first), one callback with
its attempts and the attempt form (signature canvas for on-site calls), and the customer's
rating page behind a one-time token (no login). Views parse input and call services/selectors.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.callbacks import selectors, services
from kefu.callbacks.choices import CallbackStatus, RatingLinkState
from kefu.callbacks.forms import AttemptForm, RatingForm
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.files import user_file_response
from kefu.core.htmx import is_partial
from kefu.core.pages import add_service_errors
from kefu.core.pagination import CappedPaginator
from kefu.org.choices import RoleCode
from kefu.org.decorators import staff_required
from kefu.org.selectors import Actor
from kefu.workorders.selectors import work_order_events as order_events

PAGE_SIZE = 25


def _callback_or_404(actor: Actor, pk):
    try:
        return selectors.callback_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _queue_labels() -> dict:
    return {"due": _("Due today"), "overdue": _("Overdue"), "upcoming": _("Upcoming"), "mine": _("Assigned to me"),
            "team": pgettext("callback queue", "My teams"), "open": _("All open"), "done": _("Done")}


def _tabs(actor: Actor) -> list[tuple[str, str, int | None]]:
    """(queue, label, count): the workbench's tabs carry counts (one query), the others none."""
    counts = selectors.queue_counts(actor=actor)
    return [(name, label, counts.get(name)) for name, label in _queue_labels().items()]


def _default_queue(actor: Actor) -> str:
    return "due"


@staff_required
@require_GET
def queue(request):
    actor = request.actor
    name = request.GET.get("queue") or _default_queue(actor)
    if name not in selectors.QUEUES:
        name = _default_queue(actor)
    base = selectors.callback_list_for_actor(actor=actor)
    qs = base.filter(selectors.queue_q(actor=actor, queue=name)).order_by(*selectors.queue_ordering(name))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"queue": name, "page": page, "callbacks": page.object_list, "statuses": CallbackStatus}
    if not is_partial(request):
        context["tabs"] = _tabs(actor)
    if actor.role in (RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.QA,
                      RoleCode.ADMINISTRATOR) and not is_partial(request):
        context["runs"] = selectors.sampling_runs(limit=5)
    template = "callbacks/partials/queue_results.html" if is_partial(request) else "callbacks/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _workbench_queue(request) -> str:
    """The tab the agent works through ("save and next" follows it)."""
    name = request.POST.get("queue") or request.GET.get("queue") or "due"
    return name if name in selectors.QUEUES and name != "done" else "due"


# The next attempt offered after "not reached": in two hours (the agent may change it).
NEXT_ATTEMPT_DEFAULT = timedelta(hours=2)


def _detail_context(request, actor: Actor, callback, form=None, error_message: str = "") -> dict:
    order = callback.work_order
    next_default = timezone.localtime() + NEXT_ATTEMPT_DEFAULT
    return {
        "callback": callback, "order": order, "attempts": list(selectors.callback_attempts(
            callback=callback)),
        "can_record": callback.status == CallbackStatus.OPEN and actor.role in services.CALLBACK_ROLES,
        "form": form or AttemptForm(initial={"method": "on_site" if callback.on_site_required else "phone",
                                             "next_attempt_at": next_default.replace(second=0, microsecond=0)}),
        "error_message": error_message, "queue": _workbench_queue(request), "tabs": _tabs(actor),
        # The order's history beside the form (what was asked, done and said before the call).
        "order_events": list(order_events(order=order).reverse()[:ORDER_HISTORY]) if order else [],  # newest first
    }


ORDER_HISTORY = 30


@staff_required
@require_GET
def detail(request, pk):
    actor = request.actor
    callback = _callback_or_404(actor, pk)
    return render(request, "callbacks/detail.html", _detail_context(request, actor, callback))


@staff_required
@require_POST
def attempt(request, pk):
    """Record an attempt; with `next` ("save and next") go on to the next callback of the tab."""
    actor = request.actor
    callback = _callback_or_404(actor, pk)
    form = AttemptForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "callbacks/detail.html", _detail_context(
            request, actor, callback, form, _("Please correct the errors below.")), status=400)
    try:
        services.callback_attempt_record(callback=callback, actor_user=request.user, **form.service_data())
    except ApplicationError as error:
        add_service_errors(form, error)
        return render(request, "callbacks/detail.html", _detail_context(request, actor, callback, form,
                                                                         error.message), status=error.status_code)
    callback = _callback_or_404(actor, pk)
    if callback.status == CallbackStatus.OPEN:
        messages.info(request, _("Attempt recorded: %(n)s of %(max)s.") % {
            "n": callback.attempts_count, "max": callback.max_attempts})
    else:
        messages.success(request, _("Callback %(status)s.") % {"status": CallbackStatus(callback.status).label})
    queue = _workbench_queue(request)
    if "next" in request.POST:
        following = selectors.next_in_queue(actor=actor, queue=queue, after=callback)
        if following is None:
            messages.info(request, _("Nothing more to call in this tab."))
            return redirect(f"{reverse('callbacks:list')}?queue={queue}")
        return redirect(f"{reverse('callbacks:detail', args=[following.pk])}?queue={queue}")
    return redirect(f"{reverse('callbacks:detail', args=[callback.pk])}?queue={queue}")


@staff_required(not_staff="404")
@require_GET
def attempt_file(request, pk, attempt_id, kind):
    """Stream a signature or photo after checking that the user may see the callback."""
    actor = request.actor
    if kind not in ("signature", "photo"):
        raise Http404
    callback = _callback_or_404(actor, pk)
    item = callback.attempts.filter(pk=attempt_id).first()
    field = getattr(item, kind, None) if item else None
    if not field:
        raise Http404
    content_type = "image/png" if kind == "signature" else item.photo_content_type or "application/octet-stream"
    return user_file_response(field.open("rb"), content_type=content_type, filename=f"{kind}-{item.pk}")


# --- the customer's rating page ---------------------------------------------------------------------

@staff_required
@require_GET
def rate_preview(request, pk):
    """The rating page as the customer sees it, for staff on the order page: the link's token is
    kept only as a hash, so staff preview the page (its form cannot be sent) rather than open the link."""
    from kefu.workorders.selectors import work_order_get_for_actor

    try:
        order = work_order_get_for_actor(actor=request.actor, pk=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "callbacks/rate.html", {"form": RatingForm(), "order": order, "preview": True})


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token):
    """A mobile page: 1–5 stars for speed, attitude and quality, and a comment. An unknown, used
    or expired link gets a friendly page saying so (never an error page)."""
    state, link = selectors.rating_link_for_token(token=token)
    if state != RatingLinkState.VALID:
        return render(request, "callbacks/rate_closed.html", {"state": state, "link": link},
                      status=404 if state == RatingLinkState.UNKNOWN else 410)
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rating_submit(token=token, speed=data["speed"], attitude=data["attitude"],
                                       quality=data["quality"], comment=data.get("comment", ""))
            except ApplicationError as error:
                if error.status_code == 409:
                    return render(request, "callbacks/rate_closed.html", {"state": RatingLinkState.USED},
                                  status=410)
                add_service_errors(form, error)
            else:
                return render(request, "callbacks/rate_thanks.html", {"order": link.work_order})
        return render(request, "callbacks/rate.html", {"form": form, "order": link.work_order}, status=400)
    return render(request, "callbacks/rate.html", {"form": form, "order": link.work_order})
