"""The repair record's service on the real database: opening, the fields, parts, the quote as the
order's plan (¥ authority), the charge, the customer's signature, refusals that write nothing, and
two writers on one version."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.callbacks.tests.factories import png_data_url
from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.repairs.models import RepairEvent, RepairPart, RepairRecord
from kefu.repairs.services import repair_record_open, repair_record_transition
from kefu.repairs.tests.factories import dispatched_repair, make_equipment, make_materials, open_record
from kefu.workorders.models import WorkOrder
from kefu.workorders.services import work_order_transition
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _act(record, user, action, **data):
    return repair_record_transition(record=record, action=action, actor_user=user, **data)


def _unchanged(record):
    """The record as stored equals `record` (version, totals) and no event was added."""
    stored = RepairRecord.objects.get(pk=record.pk)
    assert (stored.version, stored.parts_total, stored.status) == (record.version, record.parts_total, record.status)
    assert RepairEvent.objects.filter(record=record).count() == record.events.count()


def test_opening_is_once_per_repair_order_and_only_for_repairs(cast, org):
    order = dispatched_repair(cast, org)
    record, created = repair_record_open(work_order=order, actor_user=cast["technician"])
    again, created_again = repair_record_open(work_order=order.pk, actor_user=cast["agent"])
    assert (created, created_again, again.pk) == (True, False, record.pk)
    assert (record.status, record.version, record.parts_total, record.is_paid) == ("open", 1, Decimal("0"), False)
    assert list(record.events.values_list("action", "actor", "data")) == [
        ("open", cast["technician"].pk, {"work_order": order.pk})]

    complaint = make_work_order(actor=cast["agent"], type="complaint", complaint_level=1)
    with pytest.raises(Conflict) as error:
        repair_record_open(work_order=complaint, actor_user=cast["agent"])
    assert error.value.code == "not_a_repair"
    with pytest.raises(NotFound):  # another company's technician does not see the order
        repair_record_open(work_order=order, actor_user=cast["other_technician"])
    with pytest.raises(NotAllowed):  # QA sees every order but keeps no repair sheets
        repair_record_open(work_order=order, actor_user=cast["qa"])
    assert RepairRecord.objects.filter(work_order__in=[order, complaint]).count() == 1


def test_update_appointment_labour_and_equipment(cast, org):
    record = open_record(cast, org)
    pump = make_equipment()
    start = timezone.make_aware(datetime(2026, 12, 9, 9, 0))
    record = _act(record, cast["technician"], "update", expected_version=1, equipment=pump.pk,
                  appointment_start=start, appointment_end=start + timedelta(hours=2), fault="角阀老化渗水",
                  work_done="更换角阀", labour_minutes=45, is_paid=True, labour_charge="50")
    assert (record.version, record.equipment_id, record.appointment_start, record.appointment_end) == (
        2, pump.pk, start, start + timedelta(hours=2))
    assert (record.labour_minutes, record.is_paid, record.labour_charge, record.fault, record.work_done) == (
        45, True, Decimal("50.00"), "角阀老化渗水", "更换角阀")
    event = record.events.get(action="update")
    assert event.data == {"equipment": pump.pk, "appointment_start": start.isoformat(),
                          "appointment_end": (start + timedelta(hours=2)).isoformat(), "fault": "角阀老化渗水",
                          "work_done": "更换角阀", "labour_minutes": 45, "is_paid": True, "labour_charge": "50.00"}


@pytest.mark.parametrize(("data", "field"), [
    ({"appointment_start": "2026-12-09T09:00:00+08:00", "appointment_end": "2026-12-09T08:00:00+08:00"},
     "appointment_end"),
    ({"appointment_start": "2026-12-09T09:00:00+08:00", "appointment_end": "2026-12-09T23:00:00+08:00"},
     "appointment_end"),
    ({"appointment_start": "2026-12-09T09:00:00+08:00"}, "appointment_end"),
    ({"labour_minutes": -1}, "labour_minutes"),
    ({"labour_minutes": 7 * 24 * 60 + 1}, "labour_minutes"),
    ({"labour_charge": "1.234"}, "labour_charge"),
    ({"labour_charge": "abc"}, "labour_charge"),
    ({"labour_charge": "1000000.01"}, "labour_charge"),
    ({"fault": "漏" * 2001}, "fault"),
    ({"equipment": 999999}, "equipment"),
    ({"is_paid": "maybe"}, "is_paid"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, org, data, field):
    record = open_record(cast, org)
    with pytest.raises(InvalidInput) as error:
        _act(record, cast["technician"], "update", **data)
    assert list(error.value.fields) == [field]
    _unchanged(record)


def test_parts_from_the_list_and_off_it_keep_the_total(cast, org):
    materials = make_materials()
    record = open_record(cast, org)
    record = _act(record, cast["technician"], "add_part", material=materials["valve"].pk, quantity="2")
    record = _act(record, cast["technician"], "add_part", name="生料带", unit="卷", unit_price="3.30", quantity="1.5")
    parts = list(record.parts.values_list("name", "unit", "unit_price", "quantity", "amount"))
    assert parts == [("角阀", "个", Decimal("35.00"), Decimal("2.00"), Decimal("70.00")),
                     ("生料带", "卷", Decimal("3.30"), Decimal("1.50"), Decimal("4.95"))]
    assert (record.parts_total, record.version) == (Decimal("74.95"), 3)
    # the list's price may change later: the part keeps the price it was used at
    materials["valve"].unit_price = Decimal("40")
    materials["valve"].save()
    first = record.parts.get(name="角阀")
    record = _act(record, cast["technician"], "remove_part", part=first.pk)
    assert (record.parts_total, list(record.parts.values_list("name", flat=True))) == (Decimal("4.95"), ["生料带"])
    assert list(record.events.values_list("action", flat=True)) == ["open", "add_part", "add_part", "remove_part"]


@pytest.mark.parametrize(("data", "field"), [
    ({"quantity": "0", "name": "x", "unit": "个", "unit_price": "1"}, "quantity"),
    ({"quantity": "10001", "name": "x", "unit": "个", "unit_price": "1"}, "quantity"),
    ({"quantity": "1", "unit": "个", "unit_price": "1"}, "name"),
    ({"quantity": "1", "name": "x", "unit_price": "1"}, "unit"),
    ({"quantity": "1", "name": "x", "unit": "个"}, "unit_price"),
    ({"quantity": "1", "material": 999999}, "material"),
])
def test_bad_parts_are_refused(cast, org, data, field):
    record = open_record(cast, org)
    with pytest.raises(InvalidInput) as error:
        _act(record, cast["technician"], "add_part", **data)
    assert list(error.value.fields) == [field]
    _unchanged(record)
    assert RepairPart.objects.filter(record=record).count() == 0


def test_quote_goes_to_the_role_whose_authority_covers_it_then_the_charge_is_collected(cast, org):
    materials = make_materials()
    record = open_record(cast, org)
    record = _act(record, cast["technician"], "update", is_paid=True, labour_charge="80")
    record = _act(record, cast["technician"], "add_part", material=materials["valve"].pk, quantity="2")
    with pytest.raises(Conflict) as early:  # no approved quote yet
        _act(record, cast["technician"], "collect", amount="150", payment_method="wechat")
    assert early.value.code == "quote_not_approved"
    record = _act(record, cast["technician"], "submit_quote")
    order = WorkOrder.objects.get(pk=record.work_order_id)
    assert (record.quote_amount, order.plan_status, order.plan_role.code, order.compensation_amount) == (
        Decimal("150.00"), "pending", "supervisor", Decimal("150.00"))
    assert record.events.get(action="submit_quote").data == {"amount": "150.00", "required_role": "supervisor"}
    with pytest.raises(Conflict) as pending:  # the charge may not change under the approver's eyes
        _act(record, cast["technician"], "update", labour_charge="90")
    assert pending.value.code == "quote_pending"
    _unchanged(record)
    work_order_transition(work_order=order, action="approve_plan", actor_user=cast["supervisor"])
    with pytest.raises(InvalidInput) as too_much:
        _act(record, cast["technician"], "collect", amount="150.01", payment_method="wechat")
    assert list(too_much.value.fields) == ["amount"]
    record = _act(record, cast["technician"], "collect", amount="150", payment_method="wechat", receipt_no="SK-001")
    assert (record.charge_collected, record.payment_method, record.receipt_no) == (Decimal("150.00"), "wechat", "SK-001")
    with pytest.raises(Conflict) as twice:
        _act(record, cast["technician"], "collect", amount="150", payment_method="cash")
    assert twice.value.code == "already_collected"


def test_a_larger_quote_goes_to_the_manager_and_vendors_may_not_quote(cast, org):
    record = open_record(cast, org)
    record = _act(record, cast["technician"], "update", is_paid=True, labour_charge="800")
    record = _act(record, cast["technician"], "submit_quote")
    assert WorkOrder.objects.get(pk=record.work_order_id).plan_role.code == "manager"
    with pytest.raises(NotAllowed):  # the supervisor's authority is ¥500
        work_order_transition(work_order=record.work_order_id, action="approve_plan", actor_user=cast["supervisor"])


def test_free_repairs_need_no_quote_and_collect_nothing(cast, org):
    record = open_record(cast, org)
    for action, data, code in (("submit_quote", {}, "not_paid"),
                               ("collect", {"amount": "1", "payment_method": "cash"}, "not_paid")):
        with pytest.raises(Conflict) as error:
            _act(record, cast["technician"], action, **data)
        assert error.value.code == code
    _unchanged(record)
    assert WorkOrder.objects.get(pk=record.work_order_id).plan_status == "none"


def test_the_customer_signs_once_and_the_work_is_then_fixed(cast, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    materials = make_materials()
    record = open_record(cast, org)
    record = _act(record, cast["technician"], "add_part", material=materials["pipe"].pk, quantity="2")
    with pytest.raises(InvalidInput) as bad:
        _act(record, cast["technician"], "sign", signer_name="李女士", signature="data:image/png;base64,AAAA")
    assert list(bad.value.fields) == ["signature"]
    with pytest.raises(InvalidInput) as missing:
        _act(record, cast["technician"], "sign", signer_name="李女士", signature="")
    assert list(missing.value.fields) == ["signature"]
    _unchanged(record)
    record = _act(record, cast["technician"], "sign", signer_name="李女士", satisfied=True, signature=png_data_url())
    assert (record.status, record.signer_name, record.satisfied, record.signed_at is not None) == (
        "signed", "李女士", True, True)
    assert record.signature.read()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(Conflict) as fixed:
        _act(record, cast["technician"], "add_part", material=materials["pipe"].pk, quantity="1")
    assert fixed.value.code == "invalid_transition"
    assert record.parts.count() == 1


def test_the_customer_signs_only_once_the_work_started(cast, org):
    order = dispatched_repair(cast, org, start=False)
    record, _ = repair_record_open(work_order=order, actor_user=cast["technician"])
    with pytest.raises(Conflict) as error:
        _act(record, cast["technician"], "sign", signer_name="李女士", signature=png_data_url())
    assert error.value.code == "work_not_started"
    _unchanged(record)


def test_workers_keep_only_records_of_work_dispatched_to_them(cast, org):
    record = open_record(cast, org)  # dispatched to 水电组, not to the vendor's team
    with pytest.raises(NotFound):
        _act(record, cast["vendor"], "update", labour_minutes=10)
    with pytest.raises(NotFound):
        _act(record, cast["other_technician"], "update", labour_minutes=10)
    with pytest.raises(NotAllowed):  # QA sees it, may not edit it
        _act(record, cast["qa"], "update", labour_minutes=10)
    _unchanged(record)
    vendor_record = open_record(cast, org, team=org["vend"])
    vendor_record = _act(vendor_record, cast["vendor"], "update", labour_minutes=30)
    assert vendor_record.labour_minutes == 30
    with pytest.raises(NotAllowed):  # a vendor's quote goes through the service center
        _act(vendor_record, cast["vendor"], "submit_quote")


def test_two_writers_on_one_version_one_wins_one_409(cast, org):
    record = open_record(cast, org)
    _act(record, cast["technician"], "update", expected_version=1, labour_minutes=30)
    with pytest.raises(Conflict) as error:
        _act(record, cast["agent"], "update", expected_version=1, labour_minutes=60)
    assert error.value.code == "concurrent_change"
    stored = RepairRecord.objects.get(pk=record.pk)
    assert (stored.labour_minutes, stored.version, stored.events.filter(action="update").count()) == (30, 2, 1)


def test_a_cancelled_order_closes_its_record(cast, org):
    record = open_record(cast, org)
    work_order_transition(work_order=record.work_order_id, action="cancel", actor_user=cast["agent"], reason="客户撤销")
    with pytest.raises(Conflict) as error:
        _act(record, cast["technician"], "update", labour_minutes=10)
    assert error.value.code == "order_cancelled"
    _unchanged(record)
