"""Customer API beyond the lookup: full identity on create, 400 per field, masking of ID numbers
by role, PATCH with history, soft delete, erasure, and move-in/move-out."""

import pytest

from kefu.customers.models import Customer, CustomerAsset
from kefu.customers.tests.factories import VALID_RESIDENT_ID, make_asset, make_customer

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def test_create_person_with_identity(api, cast):
    unit = make_asset(code="3-2-1201")
    response = api(cast["agent"]).post(URL, {
        "kind": "person", "name": "张三", "phones": ["138-0013-8000"], "id_type": "resident_id",
        "id_number": VALID_RESIDENT_ID, "gender": "male", "tags": ["VIP"], "assets": [unit.pk], "relation": "tenant",
        "emergency_contact_name": "李四", "emergency_contact_phone": "13900001111"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["id_type"], body["id_number"], body["gender"], body["tags"]) == (
        "resident_id", VALID_RESIDENT_ID, "male", ["VIP"])
    assert body["emergency_contact_phone"] == "13900001111"
    assert CustomerAsset.objects.get().relation == "tenant"


def test_create_organisation(api, cast):
    response = api(cast["agent"]).post(URL, {"kind": "organisation", "name": "华悦物流", "credit_code":
                                             "91350100M000100Y43", "contacts": [{"name": "王经理",
                                                                                 "phone": "13700001111"}]},
                                       format="json")
    assert response.status_code == 201
    customer = Customer.objects.get()
    assert (customer.kind, customer.credit_code) == ("organisation", "91350100M000100Y43")
    assert list(customer.contacts.values_list("name", "phone")) == [("王经理", "13700001111")]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "王五", "id_type": "resident_id", "id_number": "110105194912310021"}, "id_number"),
    ({"name": "王五", "credit_code": "91350100M000100Y44"}, "credit_code"),
    ({"name": "王五", "phones": ["12345678901"]}, "phones"),
    ({"name": "王五", "id_type": "alien"}, "id_type"),
    ({"name": "王五", "contacts": [{"name": ""}]}, "contacts.0.name"),
], ids=["bad_resident_id_case", "bad_credit_code_case", "bad_mobile_case", "bad_id_type_case", "contact_case"])
def test_create_refused_per_field(api, cast, body, field):
    response = api(cast["agent"]).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert set(response.json()) == {"code", "message", "fields"}
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(("role", "id_number"), [
    ("agent", VALID_RESIDENT_ID),
    ("steward", VALID_RESIDENT_ID),
    ("clerk", "110***********002X"),
    ("qa", "110***********002X"),
], ids=lambda v: f"{v}_case" if v in ("agent", "steward", "clerk", "qa") else None)
def test_id_number_masking_by_role(api, cast, role, id_number):
    customer = make_customer(name="张三", id_type="resident_id", id_number=VALID_RESIDENT_ID)
    assert api(cast[role]).get(f"{URL}{customer.pk}/").json()["id_number"] == id_number
    assert api(cast[role]).get(URL, {"q": "002X"}).json()["results"][0]["id_number"] == id_number


def test_patch_changes_and_records_the_user(api, cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    response = api(cast["steward"]).patch(f"{URL}{customer.pk}/", {"address": "3栋2单元1201",
                                                                    "phones": ["13900001111"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["phones"] == ["13900001111"]
    record = customer.history.latest("history_id")
    assert (record.address, record.history_user) == ("3栋2单元1201", cast["steward"])


def test_patch_refused_changes_nothing(api, cast):
    customer = make_customer(name="张三")
    response = api(cast["agent"]).patch(f"{URL}{customer.pk}/", {"name": "张叁", "id_type": "resident_id",
                                                                  "id_number": "123"}, format="json")
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.name == "张三" and customer.history.count() == 1


def test_delete_is_soft_and_needs_the_role(api, cast):
    customer = make_customer(name="张三")
    assert api(cast["agent"]).delete(f"{URL}{customer.pk}/").status_code == 403
    assert api(cast["supervisor"]).delete(f"{URL}{customer.pk}/").status_code == 204
    assert api(cast["agent"]).get(f"{URL}{customer.pk}/").status_code == 404
    assert Customer.objects.filter(pk=customer.pk, deleted_at__isnull=False).count() == 1


def test_erase(api, cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    assert api(cast["manager"]).post(f"{URL}{customer.pk}/erase/").status_code == 403
    customer.refresh_from_db()
    assert customer.name == "张三"
    assert api(cast["administrator"]).post(f"{URL}{customer.pk}/erase/").status_code == 204
    customer.refresh_from_db()
    assert customer.name == f"#{customer.pk}" and customer.phones.count() == 0


def test_move_in_and_out(api, cast):
    customer = make_customer(name="张三")
    unit = make_asset(code="3-2-1201")
    client = api(cast["steward"])
    response = client.post("/api/v1/occupancies/", {"customer": customer.pk, "unit": unit.pk, "relation": "owner",
                                                     "started_on": "2026-01-01"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["unit_code"], body["relation"], body["started_on"], body["ended_on"]) == (
        "3-2-1201", "owner", "2026-01-01", None)
    again = client.post("/api/v1/occupancies/", {"customer": customer.pk, "unit": unit.pk, "relation": "owner"},
                        format="json")
    assert again.status_code == 409
    ended = client.post(f"/api/v1/occupancies/{body['id']}/end/", {"ended_on": "2026-06-30"}, format="json")
    assert (ended.status_code, ended.json()["ended_on"]) == (200, "2026-06-30")
    assert api(cast["agent"]).post("/api/v1/occupancies/", {"customer": customer.pk, "unit": unit.pk,
                                                            "relation": "owner"}, format="json").status_code == 403
    assert CustomerAsset.objects.filter(ended_on=None).count() == 0
