"""Who hears about a work-order event: created after commit through the (immediate) Huey task,
idempotent, never the actor, never someone who cannot see the order."""

import pytest

from kefu.core.errors import NotAllowed
from kefu.notifications.models import Notification
from kefu.notifications.selectors import unread_count
from kefu.notifications.services import notification_mark_read, notifications_for_event
from kefu.org.tests.factories import make_staff
from kefu.workorders.models import WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db


def _notified(event=None):
    qs = Notification.objects.all() if event is None else Notification.objects.filter(event=event)
    return sorted(qs.values_list("recipient__username", flat=True))


def _last_event(order):
    return WorkOrderEvent.objects.filter(work_order=order).order_by("-id").first()


def test_nothing_before_commit(cast, org):
    order = make_work_order(actor=cast["agent"])
    advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    assert Notification.objects.count() == 0


def test_dispatch_notifies_assignee_once(cast, org, django_capture_on_commit_callbacks):
    order = make_work_order(actor=cast["agent"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    assert len(callbacks) == 1
    event = _last_event(order)
    [notice] = Notification.objects.all()
    assert (notice.recipient, notice.event, notice.work_order, notice.created_at, notice.read_at) == (
        cast["technician"], event, order, event.created_at, None)
    # re-running the task after a crash adds nothing
    assert notifications_for_event(event_id=event.pk) == 0
    assert Notification.objects.count() == 1


def test_dispatch_to_team_notifies_its_active_members(cast, org, django_capture_on_commit_callbacks):
    second = make_staff(role="technician", department=org["mep"], username="tech2")
    gone = make_staff(role="technician", department=org["mep"], username="tech3")
    gone.user.is_active = False
    gone.user.save()
    order = make_work_order(actor=cast["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], ("dispatch", {"team": org["mep"]}))
    assert _notified() == sorted(["technician", second.user.username])


def test_submit_plan_notifies_the_required_role_only(cast, org, django_capture_on_commit_callbacks):
    order = advance(make_work_order(actor=cast["agent"], type="complaint", complaint_level=2), cast["agent"], "accept")
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], ("submit_plan", {"plan": "道歉并补偿"}))
    assert _notified(_last_event(order)) == ["manager"]


def test_submit_plan_does_not_tell_approvers_who_cannot_see_the_order(cast, org, django_capture_on_commit_callbacks):
    # a supervisor of another company has the required role but cannot see (or approve) the order
    make_staff(role="supervisor", department=org["other"], username="other_supervisor")
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["agent"], ("submit_plan", {"plan": "上门"}))
    assert _notified() == ["supervisor"]


def test_actor_is_never_notified(cast, org, django_capture_on_commit_callbacks):
    # the supervisor submits a plan that is routed to the supervisor role: nobody else to tell
    order = advance(make_work_order(actor=cast["supervisor"]), cast["supervisor"], "accept")
    with django_capture_on_commit_callbacks(execute=True):
        order = advance(order, cast["supervisor"], ("submit_plan", {"plan": "p"}))
        # the assignee dispatching to themselves hears nothing either
        advance(order, cast["supervisor"], ("dispatch", {"team": org["front"], "assignee": cast["agent"]}))
    assert _notified() == ["agent"]
    assert not Notification.objects.filter(recipient=cast["supervisor"]).exists()


def test_plan_decision_notifies_submitter_owner_and_assignee(cast, org, django_capture_on_commit_callbacks):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    order = advance(order, cast["technician"], ("submit_plan", {"plan": "换管"}))
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["supervisor"], ("reject_plan", {"note": "太贵"}))
    assert _notified(_last_event(order)) == ["agent", "technician"]


@pytest.mark.parametrize(("action", "data"), [
    ("resolve", {"resolution": "ok"}),
    ("cancel", {"reason": "撤回"}),
    ("comment", {"body": "进展"}),
], ids=["resolve_case", "cancel_case", "comment_case"])
def test_owner_and_assignee_hear_of_progress(cast, org, django_capture_on_commit_callbacks, action, data):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}), "start")
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["supervisor"], (action, data))
    assert _notified(_last_event(order)) == ["agent", "technician"]


@pytest.mark.parametrize("action", ["accept", "start"], ids=["accept_case", "start_case"])
def test_quiet_actions(cast, org, django_capture_on_commit_callbacks, action):
    order = make_work_order(actor=cast["agent"])
    if action == "start":
        order = advance(order, cast["agent"], "accept")
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, cast["supervisor"], action)
    assert Notification.objects.count() == 0


def test_refused_action_notifies_nobody(cast, org, django_capture_on_commit_callbacks):
    order = make_work_order(actor=cast["agent"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotAllowed):
        advance(order, cast["qa"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    assert callbacks == []
    assert Notification.objects.count() == 0


def test_unknown_event_is_ignored(db):
    assert notifications_for_event(event_id=123456) == 0


def test_mark_read_and_unread_count(cast, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    tech = cast["technician"]
    assert unread_count(user=tech) == 3
    first = Notification.objects.filter(recipient=tech).order_by("id").first()
    assert notification_mark_read(user=cast["agent"], notification_id=first.pk) == 0
    assert notification_mark_read(user=tech, notification_id=first.pk) == 1
    assert unread_count(user=tech) == 2
    assert notification_mark_read(user=tech) == 2
    assert unread_count(user=tech) == 0
