"""Reads of in-app notices (a user's own, newest first, with what the list renders) and of the
user's own notification preferences."""

from django.db.models import QuerySet
from django.utils.translation import gettext

from kefu.notifications.models import Channel, Notification, NotificationPreference
from kefu.org.models import Staff
from kefu.org.selectors import actor_for_user
from kefu.workorders.choices import Action
from kefu.workorders.models import WorkOrderEvent
from kefu.workorders.selectors import can_see


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


def _escalation_recipients(order, role: str) -> set[int]:
    """The assignee (or the team when unassigned), or staff of `role` in the departments above
    the order's team/intake department; anyone with that role when none is found there."""
    if role == "assignee":
        if order.assignee_id:
            return {order.assignee_id}
        if order.team_id:
            return set(Staff.objects.filter(department_id=order.team_id, is_active=True)
                       .values_list("user_id", flat=True))
        return {order.first_contact_owner_id}
    anchor = order.team or order.intake_department
    staff = Staff.objects.filter(role__code=role, is_active=True)
    if anchor is not None:
        ancestors = [int(p) for p in anchor.path.strip("/").split("/") if p]
        near = set(staff.filter(department_id__in=ancestors).values_list("user_id", flat=True))
        if near:
            return near
    return set(staff.values_list("user_id", flat=True))


def recipients_for_event(event: WorkOrderEvent) -> set[int]:
    """User ids that should be told about `event` (never the actor)."""
    order = event.work_order
    ids: set[int] = set()
    if event.action == Action.DISPATCH:
        if order.assignee_id:
            ids.add(order.assignee_id)
        elif order.team_id:
            ids.update(Staff.objects.filter(department_id=order.team_id, is_active=True)
                       .values_list("user_id", flat=True))
    elif event.action == Action.SUBMIT_PLAN and order.plan_role_id:
        # Only holders of the role who can see the order (and so approve it): a manager of another
        # company must not learn that the order exists.
        for staff in (Staff.objects.filter(role_id=order.plan_role_id, is_active=True)
                      .select_related("user", "role", "department")):
            actor = actor_for_user(staff.user)
            if actor is not None and can_see(actor, order):
                ids.add(staff.user_id)
    elif event.action in (Action.APPROVE_PLAN, Action.REJECT_PLAN):
        submitter = (order.plan_approvals.order_by("-submitted_at").values_list("submitted_by_id", flat=True).first())
        ids.update(filter(None, [submitter, order.first_contact_owner_id, order.assignee_id]))
    elif event.action in (Action.RESOLVE, Action.REOPEN, Action.CANCEL, Action.HOLD):
        ids.update(filter(None, [order.first_contact_owner_id, order.assignee_id]))
    elif event.action == Action.COMMENT:
        ids.update(filter(None, [order.first_contact_owner_id, order.assignee_id]))
        # Staff @mentioned in the note (checked by the gate to be able to see the order).
        ids.update(m["id"] for m in (event.data or {}).get("mentions", []) if isinstance(m, dict) and m.get("id"))
    elif event.action == Action.ESCALATE:
        ids.update(_escalation_recipients(order, event.data.get("notify", "")))
    # A reopened order (often by a dissatisfied callback) is the supervisor's business too, as is a
    # callback asking for a reopen its recorder may not do (kefu.callbacks).
    if event.action == Action.REOPEN or (event.data or {}).get("notify_supervisor"):
        ids.update(_escalation_recipients(order, "supervisor"))
    ids.discard(event.actor_id)  # type: ignore[arg-type]  # not None on this path (set or checked before)
    return ids


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


STATUS_FOR_STATE = {"pending": "queued"}


def mask_address(user, channel: str, address: str) -> str:
    """A phone number masked like everywhere else; an email keeps its first character and domain;
    WeChat/WeCom ids keep their first and last three characters. In full for readers who may see
    personal data."""
    from kefu.core.masking import may_view_personal_data, phone_for

    if channel == "sms":
        return phone_for(user, address)
    if may_view_personal_data(user):
        return address
    if channel == "email" and "@" in address:
        local, domain = address.split("@", 1)
        return f"{local[:1]}***@{domain}"
    return address[:3] + "***" + address[-3:] if len(address) > 8 else "***"


def order_messages_for_user(*, user, order) -> list[dict]:
    """The order's messages to its customer as the user may see them (one query)."""
    from kefu.notifications.models import OutboundMessage

    rows = (OutboundMessage.objects.filter(work_order=order).order_by("created_at", "id")
            .values("id", "kind", "channel", "to_address", "state", "reason", "body", "parts", "created_at",
                    "sent_at", "delivered_at"))
    names = ("id", "kind", "channel", "reason", "parts", "created_at", "sent_at", "delivered_at")
    out = []
    for values in rows:
        row: dict = dict(values)
        item = {name: row[name] for name in names}
        item.update(to=mask_address(user, row["channel"], row["to_address"]),
                    status=STATUS_FOR_STATE.get(row["state"], row["state"]), text=row["body"],
                    # our reasons are catalog ids (a provider's own reason passes through unchanged)
                    reason=gettext(row["reason"]) if row["reason"] else "")
        out.append(item)
    return out
