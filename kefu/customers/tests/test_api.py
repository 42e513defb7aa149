"""Customer API: creation with phones in any format, the lookup, and masking by role."""

import pytest

from kefu.customers.models import Customer
from kefu.customers.services import customer_create
from kefu.customers.tests.factories import make_asset

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def test_create_with_phones_in_any_format(api, cast):
    unit = make_asset(code="C-0301")
    response = api(cast["agent"]).post(URL, {"name": "张三", "phones": ["+86 138-0013-8000", "0086 13800138000",
                                                                      "021-1234 5678"],
                                             "assets": [unit.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    customer = Customer.objects.get()
    assert body["id"] == customer.pk
    assert (body["name"], body["kind"], body["tier"], body["email"]) == ("张三", "person", "standard", "")
    assert body["phones"] == ["13800138000", "02112345678"]
    assert [(a["code"], a["kind"]) for a in body["assets"]] == [("C-0301", "unit")]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"),
    ({"name": "王五", "phones": ["12"]}, "phones"),
    ({"name": "王五", "kind": "alien"}, "kind"),
    ({"name": "王五", "email": "nope"}, "email"),
    ({"name": "王五", "assets": [999999]}, "assets"),
], ids=["blank_name_case", "bad_phone_case", "bad_kind_case", "bad_email_case", "unknown_asset_case"])
def test_create_refused(api, cast, body, field):
    response = api(cast["agent"]).post(URL, body, format="json")
    assert response.status_code == 400
    assert [k.split(".")[0] for k in response.json()["fields"]] == [field]
    assert Customer.objects.count() == 0


@pytest.fixture
def zhang():
    return customer_create(name="张三", phones=["13800138000"], assets=[make_asset(code="A-1203")])


@pytest.mark.parametrize("q", ["+86 138-0013-8000", "138 0013", "8000", "zs", "A-1203", "张三"],
                         ids=["plus86_case", "prefix_case", "tail_case", "initials_case", "unit_case", "name_case"])
def test_lookup(api, cast, zhang, q):
    customer_create(name="李四", phones=["13912345678"])
    response = api(cast["agent"]).get(URL, {"q": q})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [r["id"] for r in body["results"]] == [zhang.pk]


def test_list_without_q_is_paginated(api, cast):
    for i in range(3):
        customer_create(name=f"客户{i}", phones=[])
    body = api(cast["agent"]).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [r["name"] for r in body["results"]] == ["客户0", "客户1"]


@pytest.mark.parametrize(("role", "phones"), [
    ("agent", ["13800138000"]),
    ("steward", ["13800138000"]),
    ("technician", ["13800138000"]),
    ("supervisor", ["13800138000"]),
    ("administrator", ["13800138000"]),
    ("clerk", ["138****8000"]),
    ("qa", ["138****8000"]),
    ("vendor", ["138****8000"]),
], ids=lambda v: f"{v}_case" if isinstance(v, str) else None)
def test_phone_masking_by_role(api, cast, zhang, role, phones):
    client = api(cast[role])
    assert client.get(f"{URL}{zhang.pk}/").json()["phones"] == phones
    assert client.get(URL, {"q": "zs"}).json()["results"][0]["phones"] == phones
    assert client.get(URL).json()["results"][0]["phones"] == phones


def test_superuser_sees_unmasked(api, superuser, zhang):
    assert api(superuser).get(f"{URL}{zhang.pk}/").json()["phones"] == ["13800138000"]


def test_create_response_masked_for_clerk(api, cast):
    response = api(cast["clerk"]).post(URL, {"name": "王五", "phones": ["13900001111"]}, format="json")
    assert response.status_code == 201
    assert response.json()["phones"] == ["139****1111"]


def test_unknown_customer_is_404(api, cast):
    response = api(cast["agent"]).get(f"{URL}999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "fields"}
