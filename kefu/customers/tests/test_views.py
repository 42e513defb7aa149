"""The customer lookup partial used by the intake form (htmx, as you type)."""

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import make_asset, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang():
    return make_customer(name="张三", phones=["138-0013-8000"], assets=[make_asset(code="CH-1-1203")])


@pytest.mark.parametrize("q", ["138", "13800138000", "+86 138 0013 8000", "8000", "张三", "zs", "CH-1-12"])
def test_lookup_finds_customer_by_phone_name_initials_or_unit(client, cast, zhang, q):
    client.force_login(cast["agent"])
    response = client.get(reverse("customers:lookup"), {"q": q}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html and "CH-1-1203" in html and "13800138000" in html
    assert reverse("workorders:intake_customer") + f"?customer={zhang.pk}" in html
    assert "<html" not in html


def test_lookup_accepts_the_intake_field_name_and_reports_no_match(client, cast, zhang):
    client.force_login(cast["agent"])
    assert "张三" in client.get(reverse("customers:lookup"), {"customer_q": "zs"}).content.decode()
    html = client.get(reverse("customers:lookup"), {"q": "不存在的人"}).content.decode()
    assert "kefu-no-customer" in html
    assert client.get(reverse("customers:lookup"), {"q": ""}).content.decode().strip() == ""


def test_lookup_needs_staff(client, zhang):
    response = client.get(reverse("customers:lookup"), {"q": "zs"})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user("outsider", password="pw")
    client.force_login(outsider)
    assert client.get(reverse("customers:lookup"), {"q": "zs"}).status_code == 403


def test_no_match_offers_a_new_customer_prefilled_from_the_query(client, cast):
    client.force_login(cast["agent"])
    html = client.get(reverse("customers:lookup"), {"q": "139 1234 5678"}).content.decode()
    assert 'id="new-customer-save"' in html and 'name="new_customer_phone" value="139 1234 5678"' in html
    html = client.get(reverse("customers:lookup"), {"q": "赵六"}).content.decode()
    assert 'name="new_customer_name" value="赵六"' in html


def test_new_customer_from_intake_is_created_through_the_service_and_chosen(client, cast):
    from kefu.customers.models import Customer

    client.force_login(cast["agent"])
    response = client.post(reverse("workorders:intake_customer_create"),
                           {"new_customer_name": "赵六", "new_customer_phone": "139-1234-5678"},
                           HTTP_HX_REQUEST="true")
    customer = Customer.objects.get(name="赵六")
    assert response.status_code == 200
    assert list(customer.phones.values_list("number", flat=True)) == ["13912345678"]
    assert customer.name_initials == "zl"
    html = response.content.decode()
    assert f'name="customer" id="id_customer" value="{customer.pk}"' in html and 'value="13912345678"' in html
    # no name: the service's message comes back in place of the results, nothing created
    response = client.post(reverse("workorders:intake_customer_create"),
                           {"new_customer_name": " ", "new_customer_phone": "13900000000"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#customer-results"
    assert Customer.objects.count() == 1
