"""Reads of in-app notices (a user's own, newest first, with what the list renders) and of the
user's own notification preferences."""

from django.db.models import QuerySet

from kefu.notifications.models import Channel, Notification, NotificationPreference


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = (Notification.objects.filter(recipient=user)
          .select_related("event", "event__actor__staff", "work_order"))
    if unread_only:
        qs = qs.filter(read_at=None)
    return qs.order_by("-created_at", "-id")


def notification_get_for_user(*, user, pk) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).select_related("work_order").first()


def notification_preference_for_user(*, user) -> NotificationPreference:
    """The user's own preferences; the defaults (unsaved) until they first save the page."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref if pref is not None else NotificationPreference(user=user)


def channel_overview_for_user(*, user) -> dict:
    """Where each channel would reach the user, as they may see it, and which adapter sends it
    (SMS/WeChat are log-only: the page must say so)."""
    from kefu.core.masking import phone_for
    from kefu.notifications.channels import adapter_info

    staff = getattr(user, "staff", None)
    phone = phone_for(user, staff.phone) if staff is not None else ""
    return {
        "email": {**adapter_info(Channel.EMAIL), "to": user.email or ""},
        "sms": {**adapter_info(Channel.SMS), "to": phone},
        "wechat": {**adapter_info(Channel.WECHAT), "to": phone},
    }
