"""Contact phones on work orders are masked for roles without the personal-data permission."""

import pytest

from kefu.customers.tests.factories import make_customer
from kefu.workorders.tests.factories import advance, make_work_order


@pytest.fixture
def order(cast, org):
    customer = make_customer(name="张三", phones=["138-0013-8000"])
    order = make_work_order(actor=cast["agent"], customer=customer)
    return advance(order, cast["agent"], ("dispatch", {"team": org["vend"]}))


@pytest.mark.parametrize(("role", "shown"), [
    ("agent", "13800138000"), ("supervisor", "13800138000"), ("vendor", "138****8000"), ("qa", "138****8000"), ("clerk", "138****8000"),
])
def test_api_masks_contact_phone_by_role(api, cast, order, role, shown):
    client = api(cast[role])
    assert client.get(f"/api/v1/work-orders/{order.pk}/").json()["contact_phone"] == shown
    listed = {r["id"]: r for r in client.get("/api/v1/work-orders/").json()["results"]}
    assert listed[order.pk]["contact_phone"] == shown


def test_technicians_see_the_number_to_arrange_a_visit(api, cast, org):
    customer = make_customer(name="李四", phones=["13900001111"])
    order = advance(make_work_order(actor=cast["agent"], customer=customer), cast["agent"],
                    ("dispatch", {"team": org["mep"]}))
    assert api(cast["technician"]).get(f"/api/v1/work-orders/{order.pk}/").json()["contact_phone"] == "13900001111"


def test_action_responses_are_masked_too(api, cast, order):
    body = api(cast["vendor"]).post(f"/api/v1/work-orders/{order.pk}/actions/comment/",
                                    {"body": "已联系业主"}, format="json").json()
    assert body["contact_phone"] == "138****8000"


def test_order_page_masks_for_qa_and_links_for_agent(client, cast, order):
    client.force_login(cast["qa"])
    html = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert "138****8000" in html and "13800138000" not in html
    client.force_login(cast["agent"])
    assert 'href="tel:13800138000"' in client.get(f"/work-orders/{order.pk}/").content.decode()


def test_lookup_masks_for_clerks(client, cast, order):
    client.force_login(cast["clerk"])
    html = client.get("/customers/lookup/?q=8000").content.decode()
    assert "张三" in html and "138****8000" in html and "13800138000" not in html
