"""The notifications page: a user's notices, opened (and so marked read) one by one or all at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.notifications import selectors, services


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
