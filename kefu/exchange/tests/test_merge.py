"""Duplicate candidates and merging: what moves, what is recorded, who may."""

import pytest
from django.urls import reverse

from kefu.callbacks.models import Callback
from kefu.callbacks.tests.factories import make_resolved
from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.customers.models import Customer, CustomerAsset, CustomerPhone
from kefu.customers.tests.factories import VALID_RESIDENT_ID, make_asset, make_customer
from kefu.exchange import selectors, services
from kefu.exchange.models import MergeRecord
from kefu.org.selectors import actor_for_user
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _pairs(user):
    return [({p.first.name, p.second.name}, p.reasons) for p in selectors.duplicate_pairs(actor=actor_for_user(user))]


def test_candidates_by_phone_id_number_and_similar_name(cast):
    make_customer(name="张三", phones=["13800138000"])
    make_customer(name="张三丰", phones=["13800138000"])
    make_customer(name="李四", phones=["13900000001"], id_type="resident_id", id_number=VALID_RESIDENT_ID)
    make_customer(name="李四", phones=["13700000002"])
    Customer.objects.filter(name="李四", id_number="").update(id_number=VALID_RESIDENT_ID)
    make_customer(name="王小明", phones=["13611115678"])
    make_customer(name="王晓明", phones=["13522225678"])  # same initials, same phone tail
    make_customer(name="赵六", phones=["13433335678"])    # same tail, another name: not a candidate
    pairs = _pairs(cast["supervisor"])
    assert pairs == [({"李四"}, ["id_number"]), ({"张三", "张三丰"}, ["phone", "similar_name"]), ({"王小明", "王晓明"}, ["similar_name"])]


def test_merge_moves_everything_and_keeps_a_record(cast):
    agent = cast["agent"]
    unit, other_unit = make_asset(code="1-1-101"), make_asset(code="1-1-102")
    keep = make_customer(name="张三", phones=["13800138000"], assets=[unit])
    dup = make_customer(name="张三", phones=["13800138000", "13900139000"], assets=[unit, other_unit])
    orders = [make_work_order(actor=agent, customer=dup) for _ in range(2)]
    resolved = make_resolved(actor=agent, customer=dup)
    callback = Callback.objects.get(work_order=resolved)
    assert callback.customer_id == dup.pk
    versions = {o.pk: o.version for o in WorkOrder.objects.filter(customer=dup)}

    record = services.customer_merge(actor_user=cast["supervisor"], survivor_id=keep.pk, merged_id=dup.pk,
                                     reason="同一业主重复建档")
    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert sorted(CustomerPhone.objects.filter(customer=keep).values_list("number", flat=True)) == [
        "13800138000", "13900139000"]
    assert sorted(CustomerAsset.objects.filter(customer=keep).values_list("asset__code", flat=True)) == [
        "1-1-101", "1-1-102"]
    moved = WorkOrder.objects.filter(customer=keep)
    assert moved.count() == 3
    assert all(o.version == versions[o.pk] + 1 for o in moved)
    events = WorkOrderEvent.objects.filter(data__customer_relinked__to=keep.pk)
    assert sorted(e.work_order_id for e in events) == sorted([o.pk for o in orders] + [resolved.pk])
    assert {(e.action, e.actor_id, e.internal) for e in events} == {("comment", cast["supervisor"].pk, True)}
    callback.refresh_from_db()
    assert callback.customer_id == keep.pk
    assert (record.survivor, record.merged_customer_id, record.reason, record.actor) == (
        keep, dup.pk, "同一业主重复建档", cast["supervisor"])
    assert record.moved == {"phones": 1, "asset_links": 1, "work_orders": 3, "callbacks.callback": 1}
    assert record.merged_snapshot["fields"]["name"] == "张三"
    assert [p["number"] for p in record.merged_snapshot["phones"]] == ["13800138000", "13900139000"]


@pytest.mark.parametrize("role", ["agent", "steward", "technician", "qa", "clerk", "vendor"])
def test_only_supervisors_and_up_merge(role, cast):
    keep, dup = make_customer(name="甲"), make_customer(name="乙")
    make_work_order(actor=cast["agent"], customer=dup)
    with pytest.raises(NotAllowed):
        services.customer_merge(actor_user=cast[role], survivor_id=keep.pk, merged_id=dup.pk)
    assert Customer.objects.filter(pk=dup.pk).exists()
    assert WorkOrder.objects.filter(customer=dup).count() == 1 and MergeRecord.objects.count() == 0


def test_merge_refuses_same_or_missing_customer(cast):
    keep = make_customer(name="甲")
    with pytest.raises(InvalidInput):
        services.customer_merge(actor_user=cast["manager"], survivor_id=keep.pk, merged_id=keep.pk)
    with pytest.raises(NotFound):
        services.customer_merge(actor_user=cast["manager"], survivor_id=keep.pk, merged_id=keep.pk + 100)
    assert MergeRecord.objects.count() == 0 and Customer.objects.count() == 1


def test_duplicates_page_and_merge_form(cast, client, django_assert_max_num_queries):
    keep = make_customer(name="张三", phones=["13800138000"])
    dup = make_customer(name="张三", phones=["13800138000"])
    client.force_login(cast["agent"])
    assert client.get(reverse("exchange:duplicates")).status_code == 403
    assert client.post(reverse("exchange:merge"), {"direction": f"{keep.pk}:{dup.pk}"}).status_code == 403
    client.force_login(cast["supervisor"])
    with django_assert_max_num_queries(16):
        page = client.get(reverse("exchange:duplicates")).content.decode()
    assert page.count('class="card mb-3 kefu-duplicate"') == 1 and "138****8000" in page and "13800138000" not in page
    response = client.post(reverse("exchange:merge"), {"direction": f"{keep.pk}:{dup.pk}", "reason": "重复"})
    assert response.status_code == 302
    assert list(Customer.objects.values_list("pk", flat=True)) == [keep.pk]
    page = client.get(reverse("exchange:duplicates")).content.decode()
    assert 'id="no-duplicates"' in page and 'id="merge-records"' in page
