"""Dunning (催缴): a round makes one task per unit in arrears at the ladder's level, attempts are
recorded (an SMS goes through the outbox), promises, escalation to the manager, closing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.frontdesk.models import DunningEvent, DunningTask
from kefu.frontdesk.services import dunning_round, dunning_step, dunning_transition
from kefu.frontdesk.tests.factories import in_arrears, make_unit
from kefu.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_ladder():
    assert [dunning_step(d) for d in (0, 30, 31, 90, 91, 180, 181, 900)] == [
        (1, "sms"), (1, "sms"), (2, "call"), (2, "call"), (3, "letter"), (3, "letter"), (4, "visit"), (4, "visit")]


def test_round_makes_one_task_per_unit_in_arrears_by_age_and_is_idempotent(estate, cast):
    young, _a = make_unit(estate, "CH-1-0101", occupant="甲")
    old, _b = make_unit(estate, "CH-1-0102", occupant="乙")
    paid_up, _c = make_unit(estate, "CH-1-0103", occupant="丙")
    in_arrears(cast["clerk"], estate, young, amount="250.00", days_ago=10)
    in_arrears(cast["clerk"], estate, old, amount="900.00", days_ago=200)
    assert dunning_round(actor_user=cast["steward"], site=estate["site"]) == 2
    tasks = {t.unit_id: t for t in DunningTask.objects.all()}
    assert (tasks[young.pk].level, tasks[young.pk].method, tasks[young.pk].status, tasks[young.pk].balance) == (
        1, "sms", "open", Decimal("250.00"))
    assert (tasks[old.pk].level, tasks[old.pk].method, tasks[old.pk].status) == (4, "visit", "escalated")
    assert paid_up.pk not in tasks
    assert dunning_round(actor_user=cast["steward"], site=estate["site"]) == 0
    assert DunningTask.objects.count() == 2 and DunningEvent.objects.filter(action="create").count() == 2
    with pytest.raises(NotAllowed):
        dunning_round(actor_user=cast["agent"], site=estate["site"])


def test_sms_attempt_goes_through_the_outbox_then_promise_escalate_and_close(estate, cast):
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    in_arrears(cast["clerk"], estate, unit, amount="250.00", days_ago=10)
    dunning_round(actor_user=cast["steward"], site=estate["site"])
    task = DunningTask.objects.get()
    task = dunning_transition(task=task, action="attempt", actor_user=cast["steward"], method="sms")
    message = OutboundMessage.objects.get()
    phone = owner.phones.get().number
    assert (message.channel, message.to_address, message.kind) == ("sms", phone, "notice")
    assert "CH-1-1203" in message.body and "250.00" in message.body
    assert task.events.get(action="attempt").data == {"method": "sms", "outbox": message.pk}
    task = dunning_transition(task=task, action="attempt", actor_user=cast["steward"], method="call", note="未接")
    assert (task.attempts, OutboundMessage.objects.count()) == (2, 1)
    promised = timezone.localdate() + timedelta(days=5)
    task = dunning_transition(task=task, action="promise", actor_user=cast["steward"],
                              promise_date=promised.isoformat(), promise_amount="250", note="月底前交")
    assert (task.status, task.promise_date, task.promise_amount) == ("promised", promised, Decimal("250.00"))
    task = dunning_transition(task=task, action="escalate", actor_user=cast["steward"], note="未兑现")
    assert (task.status, task.level) == ("escalated", 4)
    with pytest.raises(NotAllowed):
        dunning_transition(task=task, action="close", actor_user=cast["steward"])
    task = dunning_transition(task=task, action="close", actor_user=cast["manager"], note="已缴清")
    assert task.status == "closed"
    with pytest.raises(Conflict):
        dunning_transition(task=task, action="attempt", actor_user=cast["steward"], method="call")
    assert list(task.events.order_by("id").values_list("action", flat=True)) == [
        "create", "attempt", "attempt", "promise", "escalate", "close"]
    # A closed task lets the next round chase the unit again.
    assert dunning_round(actor_user=cast["steward"], site=estate["site"]) == 1


def test_refusals_name_the_field_and_write_nothing(estate, cast):
    unit, _owner = make_unit(estate, "CH-1-1203")  # no occupant: no phone for an SMS
    in_arrears(cast["clerk"], estate, unit, days_ago=10)
    dunning_round(actor_user=cast["steward"], site=estate["site"])
    task = DunningTask.objects.get()
    with pytest.raises(InvalidInput) as no_phone:
        dunning_transition(task=task, action="attempt", actor_user=cast["steward"], method="sms")
    assert (list(no_phone.value.fields), no_phone.value.code) == (["method"], "no_phone")
    with pytest.raises(InvalidInput) as past:
        dunning_transition(task=task, action="promise", actor_user=cast["steward"],
                           promise_date=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert list(past.value.fields) == ["promise_date"]
    task.refresh_from_db()
    assert (task.status, task.attempts, task.version, OutboundMessage.objects.count(), task.events.count()) == (
        "open", 0, 1, 0, 1)


def test_dunning_page_round_and_sms(client, estate, cast, django_assert_max_num_queries):
    for n in range(4):
        unit, _o = make_unit(estate, f"CH-1-02{n:02d}", occupant=f"业主{n}")
        in_arrears(cast["clerk"], estate, unit, days_ago=10 + n)
    client.force_login(cast["steward"])
    assert "催缴" in client.get("/frontdesk/fees/dunning/").content.decode()
    started = client.post("/frontdesk/fees/dunning/", {"site": estate["site"].pk, "min_balance": "1"})
    assert started.status_code == 302 and DunningTask.objects.count() == 4
    with django_assert_max_num_queries(20):
        page = client.get("/frontdesk/fees/dunning/")
    assert page.content.decode().count("kefu-register-row") == 4
    task = DunningTask.objects.first()
    sent = client.post(f"/frontdesk/dunning/{task.pk}/actions/attempt/", {"version": 1, "method": "sms"})
    assert sent.status_code == 302 and OutboundMessage.objects.count() == 1
    bad = client.post(f"/frontdesk/dunning/{task.pk}/actions/promise/", {"version": 2, "promise_date": "x"})
    assert bad.status_code == 400
