"""Pages of the channels app: the inbound queue, a conversation (convert / append / close), the
agent's screen pop (polled by htmx from every page) and message attachments. Thin: selectors
read, the conversation workflow writes."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kefu.channels import selectors
from kefu.channels.choices import AccountKind, CallStatus, ConversationStatus
from kefu.channels.conversations import CLOSED_ORDER_STATUSES, conversation_text, conversation_transition
from kefu.channels.forms import AppendForm, CloseForm, ConvertForm
from kefu.channels.models import MessageAttachment
from kefu.core.errors import ApplicationError
from kefu.core.pages import add_service_errors, paginate
from kefu.org.decorators import staff_required
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import work_order_list_for_actor

FORMS = {"convert": ConvertForm, "append": AppendForm, "close": CloseForm}


@staff_required
@require_GET
def inbox(request):
    status = request.GET.get("status") or ConversationStatus.OPEN
    if status not in ConversationStatus.values:
        status = ConversationStatus.OPEN
    qs = selectors.conversation_list_for_actor(actor=request.actor, status=status)
    page = paginate(request, qs)
    tabs = [(value, label) for value, label in ConversationStatus.choices]
    return render(request, "channels/inbox.html", {"page": page, "status": status, "tabs": tabs})


def _orders_of(actor, conversation):
    if conversation.customer_id is None:
        return WorkOrder.objects.none()
    return (work_order_list_for_actor(actor=actor).filter(customer_id=conversation.customer_id)
            .exclude(status__in=CLOSED_ORDER_STATUSES).order_by("-received_at")[:20])


@staff_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request, pk: int):
    conversation = selectors.conversation_get_for_actor(actor=request.actor, pk=pk)
    orders = _orders_of(request.actor, conversation)
    text = conversation_text(conversation)
    forms = {
        "convert": ConvertForm(initial={"title": (conversation.subject or text)[:60], "description": text,
                                        "version": conversation.version}, auto_id="id_convert_%s"),
        "append": AppendForm(initial={"version": conversation.version}, orders=orders, auto_id="id_append_%s"),
        "close": CloseForm(initial={"version": conversation.version}, auto_id="id_close_%s"),
    }
    status_code = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FORMS:
            raise Http404
        kwargs = {"orders": orders} if action == "append" else {}
        form = FORMS[action](request.POST, auto_id=f"id_{action}_%s", **kwargs)
        forms[action] = form
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                conversation = conversation_transition(conversation=conversation, action=action,
                                                       actor_user=request.user, expected_version=version, **data)
            except ApplicationError as error:
                add_service_errors(form, error)
                messages.error(request, error.message)
                status_code = error.status_code
            else:
                messages.success(request, _("Done."))
                if conversation.work_order_id:
                    return redirect("workorders:detail", pk=conversation.work_order_id)
                return redirect("channels:inbox")
        else:
            status_code = 400
    calls = list(conversation.calls.all())
    return render(request, "channels/conversation.html", {
        "conversation": conversation, "forms": forms, "calls": calls, "orders": orders,
        "is_call": conversation.account.kind == AccountKind.CTI,
        "open": conversation.status == ConversationStatus.OPEN}, status=status_code)


@require_GET
def screen_pop(request):
    """The caller ringing for this agent right now (empty when none): polled every 2 s from every
    page; anyone else (signed out, not staff) gets 204, which htmx leaves alone."""
    if not request.user.is_authenticated or not request.actor:
        return HttpResponse(status=204)
    call = selectors.screen_pop_call(user=request.user)
    if call is None:
        return HttpResponse("")
    return render(request, "channels/partials/screen_pop.html", {"call": call})


@staff_required(not_staff="404")
@require_GET
def attachment(request, pk: int):
    found = MessageAttachment.objects.select_related("message__conversation__account").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        selectors.conversation_get_for_actor(actor=request.actor, pk=found.message.conversation_id)
    except ApplicationError:
        raise Http404 from None
    response = FileResponse(found.file.open("rb"), content_type=found.content_type, as_attachment=True,
                            filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _period(request):
    from datetime import datetime, time, timedelta

    from django.utils import timezone
    from django.utils.dateparse import parse_date

    today = timezone.localdate()
    start_day = parse_date(request.GET.get("from") or "") or today - timedelta(days=6)
    end_day = parse_date(request.GET.get("to") or "") or today
    if end_day < start_day:
        start_day, end_day = end_day, start_day
    tz = timezone.get_current_timezone()
    return (start_day, end_day, datetime.combine(start_day, time.min, tz),
            datetime.combine(end_day + timedelta(days=1), time.min, tz))


@staff_required
@require_GET
def figures(request):
    """Answered-within-N, abandon rate, calls per hour, ring time per line and agent; intake per channel."""
    from kefu.channels.figures import call_figures, intake_per_channel

    start_day, end_day, start, end = _period(request)
    calls = selectors.call_list_for_actor(actor=request.actor)
    data = call_figures(calls, start=start, end=end)
    intake = intake_per_channel(selectors.conversation_list_for_actor(actor=request.actor), start=start, end=end)
    labels = dict(AccountKind.choices)
    return render(request, "channels/figures.html", {
        **data, "from": start_day, "to": end_day,
        "intake": [{"kind": labels.get(r["account__kind"], r["account__kind"]), "count": r["count"]} for r in intake]})


@staff_required
@require_GET
def calls(request):
    """The drill-down: the calls behind a figure (line, agent, status, period)."""
    start_day, end_day, start, end = _period(request)
    qs = selectors.call_list_for_actor(actor=request.actor).filter(created_at__gte=start, created_at__lt=end)
    for param, lookup in (("account", "account_id"), ("agent", "agent_user_id")):
        value = request.GET.get(param)
        if value and value.isdigit():
            qs = qs.filter(**{lookup: int(value)})
    status = request.GET.get("status")
    if status in CallStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs, page_size=50)
    return render(request, "channels/calls.html", {"page": page, "from": start_day, "to": end_day})
