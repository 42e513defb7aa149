"""Reads of in-app notices: a user's own, newest first, with what the list renders."""

from django.db.models import QuerySet

from kefu.notifications.models import Notification


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = (Notification.objects.filter(recipient=user)
          .select_related("event", "event__actor__staff", "work_order"))
    if unread_only:
        qs = qs.filter(read_at=None)
    return qs.order_by("-created_at", "-id")


def notification_get_for_user(*, user, pk) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).select_related("work_order").first()
