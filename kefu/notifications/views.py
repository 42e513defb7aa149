"""The notifications page: a user's notices, opened (and so marked read) one by one or all at once;
and the page where a user chooses what reaches them beyond the app."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import ApplicationError
from kefu.core.pages import add_service_errors
from kefu.notifications import selectors, services
from kefu.notifications.forms import NotificationPreferenceForm


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notice read and go to its work order."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    if notification is None:
        raise Http404
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect("workorders:detail", pk=notification.work_order_id)


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Email on/off, which events go out, SMS/WeChat (log only) on/off: the user's own, nobody else's."""
    if request.method == "GET":
        pref = selectors.notification_preference_for_user(user=request.user)
        return _preferences_page(request, NotificationPreferenceForm.from_preference(pref))
    form = NotificationPreferenceForm(request.POST)
    if not form.is_valid():
        return _preferences_page(request, form, status=400)
    data = form.cleaned_data
    try:
        services.notification_preference_update(
            user=request.user, email_enabled=data["email_enabled"], email_actions=data["email_actions"],
            sms_enabled=data["sms_enabled"], wechat_enabled=data["wechat_enabled"])
    except ApplicationError as error:
        add_service_errors(form, error)
        return _preferences_page(request, form, status=error.status_code)
    messages.success(request, _("Notification preferences saved."))
    return redirect("notifications:preferences")


def _preferences_page(request, form, status=200):
    return render(request, "notifications/preferences.html", {
        "form": form, "channels": selectors.channel_overview_for_user(user=request.user)}, status=status)


@login_required
@require_GET
def order_messages(request, pk):
    """htmx, on the order page: every message sent (or not, and why) to the customer about the
    order, with its delivery status; the channels that only log are said to be log only."""
    from kefu.core.errors import NotFound
    from kefu.notifications.channels import adapter_info
    from kefu.notifications.models import Channel, MessageKind
    from kefu.org.selectors import require_actor
    from kefu.workorders.selectors import work_order_get_for_actor

    try:
        order = work_order_get_for_actor(actor=require_actor(request.user), pk=pk)
    except NotFound:
        raise Http404 from None
    rows = selectors.order_messages_for_user(user=request.user, order=order)
    labels = {"queued": _("Queued"), "logged": _("Logged only"), "sent": _("Sent"), "delivered": _("Delivered"),
              "failed": _("Failed"), "suppressed": _("Not sent")}
    for row in rows:
        row.update(kind_label=MessageKind(row["kind"]).label if row["kind"] in MessageKind.values else row["kind"],
                   channel_label=Channel(row["channel"]).label if row["channel"] in Channel.values else row["channel"],
                   status_label=labels.get(row["status"], row["status"]))
    log_only = [str(Channel(c).label) for c in (Channel.SMS, Channel.WECHAT) if not adapter_info(c)["delivers"]]
    return render(request, "notifications/partials/order_messages.html", {
        "order": order, "messages": rows, "log_only": log_only})
