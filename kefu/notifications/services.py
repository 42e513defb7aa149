"""Deciding who hears about a work-order event, and marking notices read."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.notifications.models import Notification
from kefu.org.models import Staff
from kefu.org.selectors import actor_for_user
from kefu.workorders.choices import Action
from kefu.workorders.models import WorkOrderEvent
from kefu.workorders.selectors import can_see


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
    elif event.action == Action.ESCALATE:
        ids.update(_escalation_recipients(order, event.data.get("notify", "")))
    ids.discard(event.actor_id)
    return ids


@transaction.atomic
def notifications_for_event(*, event_id: int) -> int:
    """Create the notices for one event; idempotent (safe to re-run after a crash)."""
    event = (WorkOrderEvent.objects.select_related("work_order__team", "work_order__intake_department")
             .filter(pk=event_id).first())
    if event is None:
        return 0
    recipients = recipients_for_event(event)
    active = set(get_user_model().objects.filter(pk__in=recipients, is_active=True).values_list("pk", flat=True))
    existing = set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    rows = [Notification(recipient_id=uid, event=event, work_order=event.work_order, created_at=event.created_at)
            for uid in sorted(active - existing)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one notice (or, with no id, all of the user's notices) read."""
    qs = Notification.objects.filter(recipient=user, read_at=None)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()
