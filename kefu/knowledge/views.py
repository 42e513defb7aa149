"""Pages of the knowledge app (htmx): the header search box and its full results, the knowledge base
(list, article, write, history, votes, files), canned replies, and the panels beside the intake
form and the order page (similar cases, suggested answers, canned replies).

Views parse input, call services (every write) and selectors (every read, scoped to the actor),
and turn ApplicationError into a message with the matching HTTP status.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.files import user_file_response
from kefu.core.filtering import non_empty
from kefu.core.htmx import is_partial
from kefu.core.pages import add_service_errors, redirect_after_action
from kefu.core.pagination import CappedPaginator
from kefu.knowledge import selectors, services, workflow
from kefu.knowledge.choices import ArticleAction, ArticleKind, ArticleStatus
from kefu.knowledge.filters import ArticleFilterSet
from kefu.knowledge.forms import ArticleForm, ReplyForm
from kefu.knowledge.rendering import render_markdown
from kefu.knowledge.text import parse_query
from kefu.org.decorators import staff_required
from kefu.workorders import selectors as order_selectors
from kefu.workorders.models import Category

PAGE_SIZE = 25


def _article_or_404(actor, pk):
    try:
        return selectors.article_get(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _order_or_404(actor, pk):
    try:
        return order_selectors.work_order_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


# --- the header search -------------------------------------------------------------------------

def _search(request, actor, limit):
    q = request.GET.get("q", "")
    try:
        return selectors.header_search(actor=actor, q=q, limit=limit), ""
    except ApplicationError as error:
        return {"q": q.strip(), "terms": (), "orders": [], "customers": [], "units": [], "articles": []}, error.message


@staff_required
@require_GET
def search_suggest(request):
    """htmx: the grouped answers under the header box while typing."""
    actor = request.actor
    result, error = _search(request, actor, selectors.GROUP_LIMIT)
    response = render(request, "knowledge/partials/search_suggest.html", {"result": result, "error": error})
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
@require_GET
def search_page(request):
    """The full results of the header box (Enter): every group, more rows."""
    actor = request.actor
    result, error = _search(request, actor, 20)
    return render(request, "knowledge/search.html", {"result": result, "error": error},
                  status=400 if error else 200)


# --- articles --------------------------------------------------------------------------------------

@staff_required
@require_GET
def article_list(request):
    actor = request.actor
    filterset = ArticleFilterSet(non_empty(request.GET), queryset=selectors.article_list(actor=actor),
                                 request=request)
    filter_errors = None
    if filterset.is_valid():
        qs = filterset.qs
    else:
        qs, filter_errors = selectors.article_list(actor=actor), filterset.errors
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    terms = parse_query(filterset.form.cleaned_data.get("search", "")).terms if filter_errors is None else ()
    context = {"page": page, "articles": page.object_list, "filter_errors": filter_errors, "params": request.GET,
               "terms": terms,
               "kinds": ArticleKind.choices, "statuses": ArticleStatus.choices,
               "may_write": actor.role in workflow.WRITER_ROLES}
    template = "knowledge/partials/article_results.html" if is_partial(request) else "knowledge/article_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _article_actions(actor, article) -> list[tuple[str, str]]:
    is_author = article.created_by_id == actor.user_id
    out = []
    for name in workflow.TABLE.allowed(status=article.status, role=actor.role):
        if name == ArticleAction.SUBMIT and not is_author and actor.role not in workflow.PUBLISHER_ROLES:
            continue
        if name == ArticleAction.PUBLISH and is_author and actor.role != "administrator":
            continue
        out.append((name, str(ArticleAction(name).label)))
    return out


@staff_required
@require_GET
def article_detail(request, pk):
    actor = request.actor
    article = _article_or_404(actor, pk)
    return render(request, "knowledge/article_detail.html", {
        "article": article, "body_html": render_markdown(article.body),
        "events": list(selectors.article_events(article=article)),
        "attachments": list(article.attachments.all()),
        "actions": _article_actions(actor, article),
        "may_edit": workflow.may_edit(status=article.status, role=actor.role,
                                      is_author=article.created_by_id == actor.user_id),
        "my_vote": article.votes.filter(user=request.user).values_list("helpful", flat=True).first(),
        "review_due": bool(article.review_on and article.review_on <= timezone.localdate()),
    })


def _article_form_page(request, form, article=None, status=200, error_message=""):
    return render(request, "knowledge/article_form.html",
                  {"form": form, "article": article, "error_message": error_message}, status=status)


@staff_required
def article_create(request):
    actor = request.actor
    if actor.role not in workflow.WRITER_ROLES:
        raise PermissionDenied(_("Your role may not write articles."))
    if request.method != "POST":
        return _article_form_page(request, ArticleForm(initial={"kind": request.GET.get("kind") or ArticleKind.ANSWER}))
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return _article_form_page(request, form, status=400)
    try:
        article = services.article_create(actor_user=request.user, **form.service_data())
    except ApplicationError as error:
        add_service_errors(form, error)
        return _article_form_page(request, form, status=error.status_code, error_message=error.message)
    messages.success(request, _("The draft has been saved."))
    return redirect("knowledge:article", pk=article.pk)


@staff_required
def article_edit(request, pk):
    actor = request.actor
    article = _article_or_404(actor, pk)
    if request.method != "POST":
        form = ArticleForm(initial={
            "version": article.version, "kind": article.kind, "title": article.title, "answer": article.answer,
            "body": article.body, "category": article.category_id, "tags": ", ".join(article.tags),
            "scope_department": article.scope_department_id, "review_on": article.review_on})
        return _article_form_page(request, form, article)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return _article_form_page(request, form, article, status=400)
    try:
        services.article_update(article=article, actor_user=request.user,
                                expected_version=form.cleaned_data.get("version"), **form.service_data())
    except ApplicationError as error:
        add_service_errors(form, error)
        return _article_form_page(request, form, article, status=error.status_code, error_message=error.message)
    messages.success(request, _("The article has been saved."))
    return redirect("knowledge:article", pk=article.pk)


@staff_required
@require_POST
def article_action(request, pk, action):
    actor = request.actor
    article = _article_or_404(actor, pk)
    if action not in workflow.TRANSITIONS:
        raise Http404
    try:
        services.article_transition(article=article, action=action, actor_user=request.user,
                                    expected_version=request.POST.get("version") or None,
                                    note=request.POST.get("note", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("knowledge:article", pk=article.pk)
    messages.success(request, _("%(action)s: done.") % {"action": ArticleAction(action).label})
    return redirect("knowledge:article", pk=article.pk)


@staff_required
@require_POST
def article_vote(request, pk):
    actor = request.actor
    article = _article_or_404(actor, pk)
    try:
        article = services.article_vote(article=article, actor_user=request.user,
                                        helpful=request.POST.get("helpful") == "1")
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status_code)
    my_vote = article.votes.filter(user=request.user).values_list("helpful", flat=True).first()
    if request.htmx:
        return render(request, "knowledge/partials/vote.html", {"article": article, "my_vote": my_vote})
    return redirect("knowledge:article", pk=article.pk)


@staff_required
@require_POST
def article_upload(request, pk):
    actor = request.actor
    article = _article_or_404(actor, pk)
    try:
        item = services.article_attachment_add(article=article, actor_user=request.user,
                                               upload=request.FILES.get("file"))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("knowledge:article", pk=article.pk)
    messages.success(request, _("%(name)s has been attached.") % {"name": item.original_name})
    return redirect("knowledge:article", pk=article.pk)


@staff_required(not_staff="404")
@require_GET
def article_file(request, pk, file_id):
    actor = request.actor
    article = _article_or_404(actor, pk)
    item = article.attachments.filter(pk=file_id).first()
    if item is None:
        raise Http404
    # Photos inline, PDFs (which can carry script) as downloads, always sandboxed (kefu.core.files).
    return user_file_response(item.file.open("rb"), content_type=item.content_type, filename=item.original_name)


@staff_required
@require_POST
def case_from_order(request, order_pk):
    """A draft case from a resolved order (personal data removed), opened for editing."""
    actor = request.actor
    order = _order_or_404(actor, order_pk)
    try:
        article = services.article_from_order(order=order, actor_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("workorders:detail", pk=order.pk)
    messages.success(request, _("A draft case has been made from %(number)s; add what to say and submit it.") % {
        "number": order.number})
    return redirect("knowledge:article_edit", pk=article.pk)


# --- canned replies ---------------------------------------------------------------------------

@staff_required
def reply_list(request):
    actor = request.actor
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("version", None)
            try:
                services.canned_reply_create(actor_user=request.user, **data)
                messages.success(request, _("The canned reply has been saved."))
                return redirect("knowledge:replies")
            except ApplicationError as error:
                add_service_errors(form, error)
                status = error.status_code
        else:
            status = 400
    return render(request, "knowledge/reply_list.html", {
        "replies": list(selectors.canned_reply_list(actor=actor, include_inactive=True)), "form": form,
        "may_share": actor.role in workflow.SHARED_REPLY_ROLES}, status=status)


@staff_required
def reply_edit(request, pk):
    actor = request.actor
    try:
        reply = selectors.canned_reply_get(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None
    if request.method != "POST":
        form = ReplyForm(initial={"version": reply.version, "title": reply.title, "body": reply.body,
                                  "shared": reply.owner_id is None, "macro": reply.macro,
                                  "hold_reason": reply.hold_reason})
        return render(request, "knowledge/reply_form.html", {"form": form, "reply": reply})
    form = ReplyForm(request.POST)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("shared", None)
        expected = data.pop("version", None)
        try:
            services.canned_reply_update(reply=reply, actor_user=request.user, expected_version=expected,
                                         is_active="deactivate" not in request.POST, **data)
            messages.success(request, _("The canned reply has been saved."))
            return redirect("knowledge:replies")
        except ApplicationError as error:
            add_service_errors(form, error)
            status = error.status_code
    return render(request, "knowledge/reply_form.html", {"form": form, "reply": reply}, status=status)


# --- beside the order page and the intake form -------------------------------------------------

@staff_required
@require_GET
def order_assist(request, pk):
    """htmx: suggested articles (by the order's category and text) and the canned replies filled in
    for this order, each insertable into the comment or the resolution."""
    actor = request.actor
    order = _order_or_404(actor, pk)
    articles = selectors.article_suggestions(actor=actor, category_id=order.category_id,
                                             text=f"{order.title} {order.description}")
    replies = [(reply, selectors.render_reply(reply, order=order, actor=actor))
               for reply in selectors.canned_reply_list(actor=actor)]
    return render(request, "knowledge/partials/order_assist.html", {
        "order": order, "articles": articles, "replies": replies,
        "may_make_case": order.status in ("resolved", "closed") and actor.role in workflow.WRITER_ROLES})


@staff_required
@require_POST
def reply_apply(request, pk, reply_pk):
    """Run a canned reply's macro on the order (through the gate), with the text as edited."""
    actor = request.actor
    order = _order_or_404(actor, pk)
    try:
        reply = selectors.canned_reply_get(actor=actor, pk=reply_pk)
        services.canned_reply_apply(reply=reply, order=order, actor_user=request.user,
                                    text=request.POST.get("text"),
                                    expected_version=request.POST.get("version") or None)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(title)s: done.") % {"title": reply.title})
    return redirect_after_action(request, reverse("workorders:detail", args=[order.pk]))


@staff_required
@require_GET
def intake_assist(request):
    """htmx: while the agent types on the intake form, similar open and recent orders (same unit,
    then building, then text within the category) and suggested articles."""
    actor = request.actor
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()[:2000]
    category_id = request.GET.get("category") or None
    asset_id = request.GET.get("asset") or None
    try:
        category_id = int(category_id) if category_id else None
        asset_id = int(asset_id) if asset_id else None
    except ValueError:
        category_id = asset_id = None
    if category_id and not Category.objects.filter(pk=category_id).exists():
        category_id = None
    similar = selectors.similar_orders(actor=actor, text=text, category_id=category_id, asset_id=asset_id)
    articles = selectors.article_suggestions(actor=actor, category_id=category_id, text=text, limit=3) \
        if (text or category_id) else []
    return render(request, "knowledge/partials/intake_assist.html",
                  {"similar": similar, "articles": articles, "typed": bool(text or asset_id)})


@staff_required
@require_POST
def add_call(request, pk):
    """One click instead of a duplicate: the caller's words go onto the existing order as a comment
    (through the gate), and the agent lands on that order."""
    from kefu.workorders.services import work_order_transition

    actor = request.actor
    order = _order_or_404(actor, pk)
    words = " ".join(v.strip() for v in (request.POST.get("title", ""), request.POST.get("description", ""))
                     if v.strip())[:2000]
    body = _("The customer called again about this: %(words)s") % {"words": words} if words else \
        _("The customer called again about this.")
    try:
        work_order_transition(work_order=order, action="comment", actor_user=request.user, body=body, internal=True)
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status_code)
    messages.success(request, _("The call has been added to %(number)s.") % {"number": order.number})
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("workorders:detail", args=[order.pk])
    return response
