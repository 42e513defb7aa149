"""Items lent to occupants (one open loan per item, overdue, return once) and the violations
register (rectification, cancel by a supervisor, repeat offenders); services and pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.frontdesk import selectors
from kefu.frontdesk.models import ItemLoan, LendItem, Violation
from kefu.frontdesk.services import (
    item_loan_create,
    item_loan_transition,
    violation_record,
    violation_transition,
)
from kefu.org.selectors import actor_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def umbrella(estate):
    return LendItem.objects.create(site=estate["site"], code="U-01", label="雨伞", kind="umbrella")


def test_lend_return_once_and_one_loan_per_item(umbrella, occupied, cast):
    unit, _owner = occupied
    due = timezone.now() + timedelta(hours=2)
    loan = item_loan_create(actor_user=cast["agent"], item=umbrella, borrower="张三", due_at=due, unit=unit)
    assert (loan.status, loan.unit, loan.is_overdue) == ("out", unit, False)
    with pytest.raises(Conflict) as out:
        item_loan_create(actor_user=cast["agent"], item=umbrella, borrower="李四", due_at=due)
    assert out.value.code == "item_out"
    loan = item_loan_transition(item_loan=loan, action="return", actor_user=cast["agent"])
    assert loan.status == "returned" and loan.returned_at is not None
    with pytest.raises(Conflict):
        item_loan_transition(item_loan=loan, action="return", actor_user=cast["agent"])
    assert list(loan.events.order_by("id").values_list("action", flat=True)) == ["create", "return"]
    with pytest.raises(InvalidInput) as past:
        item_loan_create(actor_user=cast["agent"], item=umbrella, borrower="李四", due_at=timezone.now())
    assert list(past.value.fields) == ["due_at"]
    assert ItemLoan.objects.count() == 1


def test_overdue_loans_are_listed(umbrella, cast):
    loan = item_loan_create(actor_user=cast["agent"], item=umbrella, borrower="张三",
                            due_at=timezone.now() + timedelta(minutes=1))
    ItemLoan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(hours=1))
    actor = actor_for_user(cast["agent"])
    assert [lo.pk for lo in selectors.item_loan_list(actor=actor, overdue=True)] == [loan.pk]


def test_violations_rectified_cancelled_and_repeat_offenders(occupied, cast):
    unit, _owner = occupied
    with pytest.raises(NotAllowed):
        violation_record(actor_user=cast["agent"], unit=unit, kind="noise", description="夜间施工")
    first = violation_record(actor_user=cast["steward"], unit=unit, kind="moving_damage", description="搬家刮坏电梯",
                             penalty="200", rectify_by=(timezone.localdate() + timedelta(days=3)).isoformat())
    assert (first.status, first.penalty, first.number[:2]) == ("open", Decimal("200.00"), "WG")
    second = violation_record(actor_user=cast["steward"], unit=unit, kind="noise", description="夜间施工")
    actor = actor_for_user(cast["steward"])
    assert {v.pk: v.unit_violations for v in selectors.violation_list(actor=actor)} == {first.pk: 2, second.pk: 2}
    first = violation_transition(violation=first, action="rectified", actor_user=cast["steward"])
    assert first.status == "rectified"
    with pytest.raises(NotAllowed):
        violation_transition(violation=second, action="cancel", actor_user=cast["steward"], reason="记错")
    with pytest.raises(InvalidInput):
        violation_transition(violation=second, action="cancel", actor_user=cast["supervisor"])
    second = violation_transition(violation=second, action="cancel", actor_user=cast["supervisor"], reason="记错")
    assert second.status == "cancelled"
    with pytest.raises(InvalidInput) as empty:
        violation_record(actor_user=cast["steward"], unit=unit, kind="noise", description="")
    assert list(empty.value.fields) == ["description"]
    assert Violation.objects.count() == 2


def test_pages(client, umbrella, occupied, cast, django_assert_max_num_queries):
    unit, _owner = occupied
    client.force_login(cast["steward"])
    later = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert "借用" in client.get("/frontdesk/lending/").content.decode()
    lent = client.post("/frontdesk/lending/", {"item": umbrella.pk, "borrower": "张三", "unit_code": "CH-1-1203",
                                               "due_at": later})
    assert lent.status_code == 302 and ItemLoan.objects.get().unit == unit
    again = client.post("/frontdesk/lending/", {"item": umbrella.pk, "borrower": "李四", "due_at": later})
    assert again.status_code == 409 and ItemLoan.objects.count() == 1
    for n in range(3):
        made = client.post("/frontdesk/violations/", {"unit_code": "CH-1-1203", "kind": "noise",
                                                      "description": f"噪音 {n}"})
        assert made.status_code == 302
    with django_assert_max_num_queries(20):
        page = client.get("/frontdesk/violations/").content.decode()
    assert page.count("kefu-register-row") == 3 and page.count("kefu-repeat") == 3
    unknown = client.post("/frontdesk/violations/", {"unit_code": "NOPE", "kind": "noise", "description": "x"})
    assert unknown.status_code == 400 and Violation.objects.count() == 3
