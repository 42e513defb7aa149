"""Overdue notices escalate step by step, each step exactly once, with an event and an email."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from kefu.improvement import selectors
from kefu.improvement.models import CorrectiveAction, ImprovementSettings
from kefu.improvement.services import _fire_step, corrective_action_escalate_overdue
from kefu.improvement.tests.factories import advance, make_notice, taken
from kefu.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(cast):
    for name in ("supervisor", "manager", "director", "agent"):
        cast[name].email = f"{name}@example.com"
        cast[name].save(update_fields=["email"])
    return cast


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def test_steps_fire_once_each_supervisor_then_manager_then_director(emails, org):
    cast = emails
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=2)
    due = notice.due_date
    assert corrective_action_escalate_overdue(now=_at(due, 23)) == 0  # due today: not overdue yet

    assert corrective_action_escalate_overdue(now=_at(due + timedelta(days=1), 1)) == 1
    assert corrective_action_escalate_overdue(now=_at(due + timedelta(days=1), 2)) == 0
    event = notice.events.get(action="escalate")
    assert event.actor is None
    assert event.data["step"] == 1
    assert event.data["notify_role"] == "supervisor"
    assert event.data["recipients"] == [{"id": cast["supervisor"].pk, "name": cast["supervisor"].staff.display_name}]
    message = OutboundMessage.objects.get()
    assert (message.channel, message.to_address) == ("email", "supervisor@example.com")
    assert notice.number in message.subject

    # manager after 3 days (default), director after 7; a late sweep fires both at once, once each
    assert corrective_action_escalate_overdue(now=_at(due + timedelta(days=9))) == 2
    assert corrective_action_escalate_overdue(now=_at(due + timedelta(days=30))) == 0
    assert list(notice.events.filter(action="escalate").values_list("data__notify_role", flat=True)) == [
        "supervisor", "manager", "director"]
    assert sorted(OutboundMessage.objects.values_list("to_address", flat=True)) == [
        "director@example.com", "manager@example.com", "supervisor@example.com"]
    notice.refresh_from_db()
    assert (notice.escalation_step, notice.next_escalation_at, notice.status) == (3, None, "issued")


def test_recorded_action_stops_escalation_and_reissue_restarts_it(emails, org):
    cast = emails
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    notice = taken(notice, cast["agent"])
    assert notice.next_escalation_at is None
    assert corrective_action_escalate_overdue(now=_at(notice.due_date + timedelta(days=10))) == 0
    new_due = timezone.localdate() + timedelta(days=3)
    notice = advance(notice, cast["qa"], ("verify_not_effective", {"verification": "无效", "due_date": new_due}))
    assert corrective_action_escalate_overdue(now=_at(new_due + timedelta(days=1))) == 1
    assert list(notice.events.filter(action="escalate").values_list("data__round", flat=True)) == [2]


def test_a_step_is_claimed_once(emails, org):
    cast = emails
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    now = _at(notice.due_date + timedelta(days=1))
    ladder = selectors.escalation_ladder(ImprovementSettings(pk=1))
    # two sweepers read the same row (step 0) and both try to fire it
    first = _fire_step(pk=notice.pk, step=0, round_=1, now=now, ladder=ladder)
    second = _fire_step(pk=notice.pk, step=0, round_=1, now=now, ladder=ladder)
    assert first is not None and second is None
    assert notice.events.filter(action="escalate").count() == 1
    assert OutboundMessage.objects.count() == 1


def test_configured_days_and_recipients_without_email(cast, org):
    ImprovementSettings.objects.create(pk=1, escalate_manager_after_days=1, escalate_director_after_days=2)
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    assert corrective_action_escalate_overdue(now=_at(notice.due_date + timedelta(days=2), 1)) == 2
    event = notice.events.filter(action="escalate").last()
    assert event.data["notify_role"] == "manager"
    assert event.data["emailed"] == []  # nobody has an address: the event still records who was due
    assert OutboundMessage.objects.count() == 0


def test_overdue_queryset_and_flag(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    assert not notice.is_overdue
    with time_machine.travel(_at(notice.due_date + timedelta(days=1)), tick=False):
        assert list(CorrectiveAction.objects.overdue()) == [notice]
        notice.refresh_from_db()
        assert notice.is_overdue


def test_management_command(emails, org, capsys):
    from django.core.management import call_command

    cast = emails
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    with time_machine.travel(_at(notice.due_date + timedelta(days=1)), tick=False):
        call_command("improvement_escalate")
    assert capsys.readouterr().out.strip() == "1"
