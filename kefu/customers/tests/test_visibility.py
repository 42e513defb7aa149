"""Customer data only within the user's department scope: a steward of site A does not see site
B's occupants (API, lookup, pages); roles with visibility "all" see everyone."""

import pytest
from django.urls import reverse

from kefu.customers.selectors import customer_search, visible_customers
from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.org.selectors import actor_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def estates(org):
    site_a = make_site(code="A", name="翠湖花园", department=org["company"])
    site_b = make_site(code="B", name="华悦大厦", department=org["other"])
    shared = make_site(code="S", name="共享小区")
    return {
        "a": make_customer(name="甲业主", phones=["13800000001"], assets=[make_asset(site=site_a, code="A-1-101")]),
        "b": make_customer(name="乙业主", phones=["13800000002"], assets=[make_asset(site=site_b, code="B-1-101")]),
        "shared": make_customer(name="丙业主", phones=["13800000003"],
                                assets=[make_asset(site=shared, code="S-1-101")]),
        "caller": make_customer(name="丁来电", phones=["13800000004"]),
        "b_company": make_customer(name="戊公司", kind="organisation", department=org["other"]),
    }


def _names(user, estates):
    names = {c.pk: k for k, c in estates.items()}
    return sorted(names[pk] for pk in visible_customers(actor_for_user(user)).values_list("pk", flat=True))


@pytest.mark.parametrize(("role", "expected"), [
    ("agent", ["a", "b", "b_company", "caller", "shared"]),
    ("director", ["a", "b", "b_company", "caller", "shared"]),
    ("steward", ["a", "caller", "shared"]),
    ("supervisor", ["a", "caller", "shared"]),
    ("technician", ["a", "caller", "shared"]),
    ("other_steward", ["b", "b_company", "caller", "shared"]),
], ids=lambda v: f"{v}_case" if isinstance(v, str) else None)
def test_visible_customers_by_role(cast, estates, role, expected):
    assert _names(cast[role], estates) == expected


def test_past_occupant_stays_in_the_site_scope(cast, estates):
    estates["b"].asset_links.update(ended_on="2026-01-01")
    assert "b" not in _names(cast["steward"], estates)


def test_lookup_is_scoped(cast, estates):
    # all prefix matches: ties by name (code point order)
    assert [c.name for c in customer_search(q="1380000000", actor=actor_for_user(cast["steward"]))] == [
        "丁来电", "丙业主", "甲业主"]
    assert customer_search(q="B-1-101", actor=actor_for_user(cast["steward"])) == []
    assert [c.name for c in customer_search(q="B-1-101", actor=actor_for_user(cast["agent"]))] == ["乙业主"]


def test_api_hides_other_sites(api, cast, estates):
    client = api(cast["steward"])
    response = client.get(f"/api/v1/customers/{estates['b'].pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/customers/{estates['a'].pk}/").status_code == 200
    body = client.get("/api/v1/customers/").json()
    assert sorted(r["name"] for r in body["results"]) == sorted(["甲业主", "丙业主", "丁来电"])
    assert client.get("/api/v1/customers/", {"q": "乙业主"}).json()["count"] == 0


def test_pages_hide_other_sites(client, cast, estates):
    client.force_login(cast["steward"])
    unit_b = estates["b"].asset_links.get().asset
    assert client.get(reverse("customers:detail", args=[estates["b"].pk])).status_code == 404
    assert client.get(reverse("customers:unit", args=[unit_b.pk])).status_code == 404
    assert client.get(reverse("customers:detail", args=[estates["a"].pk])).status_code == 200
    html = client.get(reverse("customers:lookup"), {"q": "B-1-101"}).content.decode()
    assert "乙业主" not in html


def test_api_create_refuses_unseen_unit(api, cast, estates):
    unit_b = estates["b"].asset_links.get().asset
    response = api(cast["steward"]).post("/api/v1/customers/", {"name": "新住户", "assets": [unit_b.pk]},
                                         format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["assets"]
    assert not visible_customers(None).filter(name="新住户").exists()
