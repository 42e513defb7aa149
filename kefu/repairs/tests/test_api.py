"""The repair-record API: open, read, act, filter by order and equipment; the materials list and
the equipment register; visibility (not visible → 404), roles (403), one-of-two writers (409)."""

from decimal import Decimal

import pytest

from kefu.callbacks.tests.factories import png_data_url
from kefu.repairs.models import Equipment, Material, RepairRecord
from kefu.repairs.tests.factories import dispatched_repair, make_equipment, make_materials, open_record
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def test_open_then_act_through_the_api(api, cast, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = dispatched_repair(cast, org)
    client = api(cast["technician"])
    opened = client.post("/api/v1/repair-records/", {"work_order": order.pk}, format="json")
    assert opened.status_code == 201
    body = opened.json()
    assert (body["work_order"], body["work_order_number"], body["status"], body["version"], body["parts"]) == (
        order.pk, order.number, "open", 1, [])
    assert client.post("/api/v1/repair-records/", {"work_order": order.pk}, format="json").status_code == 200
    pk = body["id"]
    valve = make_materials()["valve"]
    added = client.post(f"/api/v1/repair-records/{pk}/actions/add_part/", {"material": valve.pk, "quantity": "3",
                                                                          "version": 1}, format="json")
    assert added.status_code == 200
    assert (added.json()["parts_total"], added.json()["parts"][0]["amount"], added.json()["version"]) == (
        "105.00", "105.00", 2)
    stale = client.post(f"/api/v1/repair-records/{pk}/actions/update/", {"labour_minutes": 20, "version": 1},
                        format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "concurrent_change")
    paid = client.post(f"/api/v1/repair-records/{pk}/actions/update/", {"is_paid": True, "labour_charge": "45"},
                       format="json")
    assert (paid.json()["total"], paid.json()["is_paid"]) == ("150.00", True)
    quoted = client.post(f"/api/v1/repair-records/{pk}/actions/submit_quote/", {}, format="json")
    assert (quoted.json()["quote_amount"], quoted.json()["quote_status"]) == ("150.00", "pending")
    signed = client.post(f"/api/v1/repair-records/{pk}/actions/sign/",
                         {"signer_name": "李女士", "signature": png_data_url(), "satisfied": True}, format="json")
    assert (signed.status_code, signed.json()["status"], signed.json()["has_signature"]) == (200, "signed", True)


def test_bad_input_is_400_naming_the_field(api, cast, org):
    record = open_record(cast, org)
    client = api(cast["technician"])
    response = client.post(f"/api/v1/repair-records/{record.pk}/actions/add_part/",
                           {"name": "生料带", "unit": "卷", "unit_price": "3", "quantity": "-1"}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()["fields"]
    response = client.post(f"/api/v1/repair-records/{record.pk}/actions/sign/", {"signer_name": "李女士"},
                           format="json")
    assert response.status_code == 400 and "signature" in response.json()["fields"]
    response = client.post(f"/api/v1/repair-records/{record.pk}/actions/fly/", {}, format="json")
    assert response.status_code == 404
    assert RepairRecord.objects.get(pk=record.pk).version == 1


def test_not_visible_is_404_and_other_roles_403(api, cast, org):
    record = open_record(cast, org)
    for user in ("vendor", "other_technician", "other_steward"):
        assert api(cast[user]).get(f"/api/v1/repair-records/{record.pk}/").status_code == 404
        assert api(cast[user]).post(f"/api/v1/repair-records/{record.pk}/actions/update/", {"labour_minutes": 1},
                                    format="json").status_code == 404
        assert api(cast[user]).post("/api/v1/repair-records/", {"work_order": record.work_order_id},
                                    format="json").status_code == 404
    response = api(cast["qa"]).post(f"/api/v1/repair-records/{record.pk}/actions/update/", {"labour_minutes": 1},
                                    format="json")
    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    complaint = make_work_order(actor=cast["agent"], type="complaint", complaint_level=1)
    response = api(cast["agent"]).post("/api/v1/repair-records/", {"work_order": complaint.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_a_repair")
    assert api().get("/api/v1/repair-records/").status_code in (401, 403)
    assert RepairRecord.objects.get(pk=record.pk).version == 1


def test_list_filters_by_order_and_equipment_within_a_query_budget(api, cast, org, django_assert_max_num_queries):
    pump = make_equipment()
    records = [open_record(cast, org) for _ in range(4)]
    for record in records[:2]:
        RepairRecord.objects.filter(pk=record.pk).update(equipment=pump)
    client = api(cast["supervisor"])
    with django_assert_max_num_queries(9):
        everything = client.get("/api/v1/repair-records/").json()
    assert everything["count"] == 4
    on_pump = client.get(f"/api/v1/repair-records/?equipment={pump.pk}").json()
    assert sorted(r["id"] for r in on_pump["results"]) == sorted(r.pk for r in records[:2])
    one = client.get(f"/api/v1/repair-records/?work_order={records[3].work_order_id}").json()
    assert [r["id"] for r in one["results"]] == [records[3].pk]
    # the vendor sees none of them (dispatched elsewhere), the other company's steward neither
    assert api(cast["vendor"]).get("/api/v1/repair-records/").json()["count"] == 0
    assert api(cast["other_steward"]).get("/api/v1/repair-records/").json()["count"] == 0


def test_materials_and_equipment_registers(api, cast, org):
    from kefu.customers.tests.factories import make_site

    response = api(cast["supervisor"]).post("/api/v1/repair-materials/",
                                            {"name": "角阀", "unit": "个", "unit_price": "35.00"}, format="json")
    assert (response.status_code, response.json()["name"], response.json()["unit_price"]) == (201, "角阀", "35.00")
    again = api(cast["supervisor"]).post("/api/v1/repair-materials/",
                                         {"name": "角阀", "unit": "个", "unit_price": "30"}, format="json")
    assert again.status_code == 400 and "name" in again.json()["fields"]
    assert api(cast["technician"]).post("/api/v1/repair-materials/", {"name": "阀", "unit": "个", "unit_price": "1"},
                                        format="json").status_code == 403
    assert [m["name"] for m in api(cast["technician"]).get("/api/v1/repair-materials/").json()["results"]] == ["角阀"]
    assert Material.objects.get().unit_price == Decimal("35.00")
    site = make_site()
    created = api(cast["supervisor"]).post("/api/v1/equipment/", {"code": "LIFT-1", "name": "1号客梯", "kind": "lift",
                                                                  "site": site.pk}, format="json")
    assert (created.status_code, created.json()["code"], created.json()["site"]) == (201, "LIFT-1", site.pk)
    bad = api(cast["supervisor"]).post("/api/v1/equipment/", {"code": "LIFT-2", "name": "2号客梯", "kind": "rocket",
                                                              "site": site.pk}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    assert Equipment.objects.count() == 1
