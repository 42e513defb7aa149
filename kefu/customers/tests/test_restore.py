"""Deleted customers and their restore: the service (roles, scope, erased, not deleted, duplicate
natural keys, history), the page with its query budget, and the API; refusals write nothing."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kefu.core.errors import Conflict, NotAllowed, NotFound
from kefu.customers import services
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_search
from kefu.customers.tests.factories import (
    VALID_CREDIT_CODE,
    VALID_RESIDENT_ID,
    make_asset,
    make_customer,
    make_site,
)

pytestmark = pytest.mark.django_db

ALLOWED = ["supervisor", "manager", "director", "administrator"]
REFUSED = ["agent", "steward", "technician", "qa", "clerk", "vendor"]
API = "/api/v1/customers/"


@pytest.fixture
def deleted(cast, org):
    """张三 on a site of the supervisor's company, deleted by the supervisor."""
    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    customer = make_customer(name="张三", phones=["13800138000"], assets=[make_asset(site=site, code="CH-3-2-1201")],
                             id_type="resident_id", id_number=VALID_RESIDENT_ID, actor_user=cast["agent"])
    services.customer_delete(customer=customer, actor_user=cast["supervisor"])
    customer.refresh_from_db()
    return customer


@pytest.fixture
def elsewhere(cast, org):
    """乙业主 on a site of the other company (outside the supervisor's scope), deleted by the director."""
    site = make_site(code="HY", name="华悦大厦", department=org["other"])
    customer = make_customer(name="乙业主", phones=["13900139000"], assets=[make_asset(site=site, code="HY-1-101")])
    services.customer_delete(customer=customer, actor_user=cast["director"])
    customer.refresh_from_db()
    return customer


def _state(customer):
    customer.refresh_from_db()
    return (customer.deleted_at, customer.deleted_by_id, customer.erased_at, customer.history.count())


def _history(customer):
    return list(customer.history.order_by("history_date", "history_id").values_list(
        "history_type", "deleted_by", "history_user", "name"))


# --- the service -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ALLOWED)
@override_settings(KEFU_CUSTOMER_RETENTION_DAYS=30)
def test_restore_by_each_allowed_role(cast, deleted, role):
    restored = services.customer_restore(customer=deleted, actor_user=cast[role])
    assert restored.pk == deleted.pk
    deleted.refresh_from_db()
    assert (deleted.deleted_at, deleted.deleted_by, deleted.erased_at) == (None, None, None)
    assert _history(deleted) == [
        ("+", None, cast["agent"].pk, "张三"),
        ("~", cast["supervisor"].pk, cast["supervisor"].pk, "张三"),
        ("~", None, cast[role].pk, "张三"),
    ]
    # found by the lookup again, and the nightly purge leaves them alone
    assert [c.pk for c in customer_search(q="13800138000")] == [deleted.pk]
    assert [c.pk for c in customer_search(q="张三")] == [deleted.pk]
    assert services.customer_purge_expired(now=timezone.now() + timedelta(days=365)) == 0
    deleted.refresh_from_db()
    assert (deleted.name, deleted.id_number, deleted.erased_at) == ("张三", VALID_RESIDENT_ID, None)


@pytest.mark.parametrize("role", REFUSED)
def test_restore_refused_for_other_roles(cast, deleted, role):
    before = _state(deleted)
    with pytest.raises(NotAllowed) as refused:
        services.customer_restore(customer=deleted, actor_user=cast[role])
    assert refused.value.code == "role_not_allowed"
    assert _state(deleted) == before
    assert customer_search(q="13800138000") == []


def test_restore_outside_the_scope_is_404(cast, elsewhere):
    before = _state(elsewhere)
    with pytest.raises(NotFound):
        services.customer_restore(customer=elsewhere, actor_user=cast["supervisor"])
    assert _state(elsewhere) == before
    # the director sees every site
    services.customer_restore(customer=elsewhere, actor_user=cast["director"])
    assert _state(elsewhere)[:3] == (None, None, None)


def test_restore_of_an_erased_customer_is_409(cast, deleted):
    services.customer_erase(customer=deleted, actor_user=cast["administrator"])
    before = _state(deleted)
    with pytest.raises(Conflict) as refused:
        services.customer_restore(customer=deleted, actor_user=cast["administrator"])
    assert refused.value.code == "erased"
    assert refused.value.message == "该客户的个人信息已被清除（保存期限已满，或应删除请求）：无法恢复。"
    assert _state(deleted) == before


def test_restore_of_a_customer_not_deleted_is_409(cast):
    customer = make_customer(name="李四")
    with pytest.raises(Conflict) as refused:
        services.customer_restore(customer=customer, actor_user=cast["director"])
    assert (refused.value.code, refused.value.message) == ("not_deleted", "该客户未被删除。")
    assert _state(customer) == (None, None, None, 1)


def test_restore_refused_when_a_live_customer_has_the_id_number(cast, deleted):
    make_customer(name="张三", phones=["13800138000"], id_type="resident_id", id_number=VALID_RESIDENT_ID)
    before = _state(deleted)
    with pytest.raises(Conflict) as refused:
        services.customer_restore(customer=deleted, actor_user=cast["supervisor"])
    assert (refused.value.status_code, refused.value.code, list(refused.value.fields)) == (
        409, "duplicate", ["id_number"])
    assert "重复客户" in refused.value.message and "合并" in refused.value.message
    assert _state(deleted) == before
    assert Customer.objects.filter(deleted_at=None, id_number=VALID_RESIDENT_ID).count() == 1


def test_restore_refused_when_a_live_customer_has_the_credit_code(cast):
    company = make_customer(name="华悦物流有限公司", kind="organisation", credit_code=VALID_CREDIT_CODE, phones=[])
    services.customer_delete(customer=company, actor_user=cast["director"])
    make_customer(name="华悦物流", kind="organisation", credit_code=VALID_CREDIT_CODE, phones=[])
    before = _state(company)
    with pytest.raises(Conflict) as refused:
        services.customer_restore(customer=company, actor_user=cast["director"])
    assert (refused.value.code, list(refused.value.fields)) == ("duplicate", ["credit_code"])
    assert _state(company) == before


def test_a_deleted_namesake_does_not_block_a_restore(cast, deleted):
    # only live customers count: another deleted copy with the same ID number is no duplicate
    twin = make_customer(name="张三", phones=[], id_type="resident_id", id_number=VALID_RESIDENT_ID)
    services.customer_delete(customer=twin, actor_user=cast["supervisor"])
    services.customer_restore(customer=deleted, actor_user=cast["supervisor"])
    assert _state(deleted)[:2] == (None, None)
    # …but now the first one is live, so the twin cannot come back as well
    with pytest.raises(Conflict):
        services.customer_restore(customer=twin, actor_user=cast["supervisor"])


# --- the page ----------------------------------------------------------------------------------

@override_settings(KEFU_CUSTOMER_RETENTION_DAYS=30)
def test_deleted_page_lists_scope_with_days_left(client, cast, deleted, elsewhere):
    Customer.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now() - timedelta(days=10))
    erased = make_customer(name="王五")
    services.customer_erase(customer=erased, actor_user=cast["administrator"])
    client.force_login(cast["supervisor"])
    response = client.get(reverse("customers:deleted"))
    assert response.status_code == 200
    html = response.content.decode()
    # the other company's customer and the erased one are not listed
    assert html.count('class="kefu-deleted-row"') == 1
    assert f'data-customer-id="{deleted.pk}"' in html and "乙业主" not in html and f"#{erased.pk}" not in html
    assert "13800138000" in html and 'data-days-left="20"' in html
    assert cast["supervisor"].staff.display_name in html
    assert reverse("customers:restore", args=[deleted.pk]) in html
    assert "删除后 30 天清除" in html

    client.force_login(cast["director"])
    html = client.get(reverse("customers:deleted")).content.decode()
    assert html.count('class="kefu-deleted-row"') == 2
    assert html.index("乙业主") < html.index("张三")  # most recently deleted first


def test_deleted_page_masks_phones_without_the_permission(client, cast, deleted):
    from django.contrib.auth.models import Permission

    user = cast["supervisor"]
    user.staff.role.group.permissions.remove(Permission.objects.get(codename="view_personal_data"))
    client.force_login(user)
    html = client.get(reverse("customers:deleted")).content.decode()
    assert "138****8000" in html and "13800138000" not in html


@pytest.mark.parametrize("role", ["agent", "steward", "clerk"])
def test_deleted_page_and_restore_refused_for_other_roles(client, cast, deleted, role):
    before = _state(deleted)
    client.force_login(cast[role])
    assert client.get(reverse("customers:deleted")).status_code == 403
    assert client.post(reverse("customers:restore", args=[deleted.pk])).status_code == 403
    assert _state(deleted) == before
    assert "deleted-customers-link" not in client.get(reverse("customers:list")).content.decode()


def test_customer_list_links_to_the_deleted_page(client, cast):
    client.force_login(cast["supervisor"])
    html = client.get(reverse("customers:list")).content.decode()
    assert f'href="{reverse("customers:deleted")}" id="deleted-customers-link"' in html


def test_deleted_page_query_budget_does_not_grow_with_rows(client, cast, org, django_assert_max_num_queries):
    site = make_site(code="CH", department=org["company"])
    client.force_login(cast["supervisor"])

    def delete(n):
        for _ in range(n):
            c = make_customer(phones=["13800000001", "13800000002"], assets=[make_asset(site=site)])
            services.customer_delete(customer=c, actor_user=cast["manager"])

    delete(2)
    client.get(reverse("customers:deleted"))
    with django_assert_max_num_queries(11) as few:
        assert client.get(reverse("customers:deleted")).status_code == 200
    delete(23)
    with django_assert_max_num_queries(11) as many:
        response = client.get(reverse("customers:deleted"))
    assert response.content.decode().count('class="kefu-deleted-row"') == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_restore_from_the_page_plain_post(client, cast, deleted):
    client.force_login(cast["manager"])
    response = client.post(reverse("customers:restore", args=[deleted.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("customers:deleted"))
    assert _state(deleted)[:2] == (None, None)
    html = client.get(reverse("customers:deleted")).content.decode()
    assert "张三 已恢复，重新出现在客户列表中。" in html and 'class="kefu-deleted-row"' not in html
    html = client.get(reverse("customers:list")).content.decode()
    assert f'data-customer-id="{deleted.pk}"' in html


def test_restore_from_the_page_with_htmx(client, cast, deleted):
    client.force_login(cast["supervisor"])
    response = client.post(reverse("customers:restore", args=[deleted.pk]), {"page": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="deleted-customers">')
    assert f'class="alert alert-success kefu-restored" role="status" data-customer-id="{deleted.pk}"' in html
    assert 'class="kefu-deleted-row"' not in html and "<html" not in html
    assert _state(deleted)[:2] == (None, None)


def test_restore_refusal_on_the_page_names_the_field(client, cast, deleted):
    make_customer(name="张三", phones=[], id_type="resident_id", id_number=VALID_RESIDENT_ID)
    before = _state(deleted)
    client.force_login(cast["supervisor"])
    url = reverse("customers:restore", args=[deleted.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert 'data-code="duplicate" data-field="id_number"' in response.content.decode()
    response = client.post(url)  # without htmx: the whole page with the refusal
    assert response.status_code == 409
    assert 'data-field="id_number"' in response.content.decode() and "<html" in response.content.decode()
    assert _state(deleted) == before


def test_restore_on_the_page_outside_the_scope_is_404(client, cast, elsewhere):
    before = _state(elsewhere)
    client.force_login(cast["supervisor"])
    assert client.post(reverse("customers:restore", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("customers:restore", args=[999999])).status_code == 404
    assert _state(elsewhere) == before


# --- the API -----------------------------------------------------------------------------------

@override_settings(KEFU_CUSTOMER_RETENTION_DAYS=30)
def test_api_lists_deleted_customers(api, cast, deleted, elsewhere):
    response = api(cast["supervisor"]).get(f"{API}deleted/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["count_capped"], body["next"], body["previous"]) == (1, False, None, None)
    row = body["results"][0]
    assert row == {
        "id": deleted.pk, "kind": "person", "name": "张三", "phones": ["13800138000"], "id_type": "resident_id",
        "id_number": VALID_RESIDENT_ID, "credit_code": "",
        "deleted_at": row["deleted_at"], "deleted_by": cast["supervisor"].pk,
        "deleted_by_name": cast["supervisor"].staff.display_name,
        "erase_on": str(timezone.localdate(deleted.deleted_at + timedelta(days=30))), "days_left": 30,
    }
    assert row["deleted_at"].startswith(timezone.localtime(deleted.deleted_at).isoformat()[:19])
    # the customer list itself still hides them
    assert api(cast["supervisor"]).get(API).json()["count"] == 0
    assert [r["id"] for r in api(cast["director"]).get(f"{API}deleted/").json()["results"]] == [
        elsewhere.pk, deleted.pk]


def test_api_deleted_list_refused_for_agent(api, cast, deleted):
    response = api(cast["agent"]).get(f"{API}deleted/")
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"


def test_api_restore(api, cast, deleted):
    response = api(cast["manager"]).post(f"{API}{deleted.pk}/restore/")
    assert response.status_code == 200, response.json()
    assert (response.json()["id"], response.json()["name"]) == (deleted.pk, "张三")
    assert _state(deleted)[:2] == (None, None)
    assert api(cast["manager"]).get(f"{API}{deleted.pk}/").status_code == 200
    assert api(cast["manager"]).get(f"{API}deleted/").json()["count"] == 0


@pytest.mark.parametrize(("role", "status", "code"), [
    ("agent", 403, "role_not_allowed"),
    ("steward", 403, "role_not_allowed"),
])
def test_api_restore_refused(api, cast, deleted, role, status, code):
    before = _state(deleted)
    response = api(cast[role]).post(f"{API}{deleted.pk}/restore/")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _state(deleted) == before


def test_api_restore_outside_scope_erased_duplicate(api, cast, deleted, elsewhere):
    client = api(cast["supervisor"])
    before = _state(elsewhere)
    response = client.post(f"{API}{elsewhere.pk}/restore/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert _state(elsewhere) == before
    assert client.post(f"{API}abc/restore/").status_code == 404

    make_customer(name="张三", phones=[], id_type="resident_id", id_number=VALID_RESIDENT_ID)
    before = _state(deleted)
    response = client.post(f"{API}{deleted.pk}/restore/")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], list(body["fields"]), body["fields"]["id_number"]) == (
        "duplicate", ["id_number"], [body["message"]])
    assert _state(deleted) == before

    services.customer_erase(customer=deleted, actor_user=cast["administrator"])
    response = api(cast["administrator"]).post(f"{API}{deleted.pk}/restore/")
    assert (response.status_code, response.json()["code"]) == (409, "erased")

    live = make_customer(name="李四")
    response = client.post(f"{API}{live.pk}/restore/")
    assert (response.status_code, response.json()["code"]) == (409, "not_deleted")


def test_api_deleted_list_query_budget_and_pages(api, cast, org, django_assert_max_num_queries):
    site = make_site(code="CH", department=org["company"])
    client = api(cast["supervisor"])

    def delete(n):
        for _ in range(n):
            c = make_customer(phones=["13800000001", "13800000002"], assets=[make_asset(site=site)])
            services.customer_delete(customer=c, actor_user=cast["manager"])

    delete(2)
    client.get(f"{API}deleted/")
    with django_assert_max_num_queries(3) as few:
        assert client.get(f"{API}deleted/").json()["count"] == 2
    delete(10)
    with django_assert_max_num_queries(3) as many:
        body = client.get(f"{API}deleted/", {"page_size": 5, "page": 3}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (12, 2, None)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert client.get(f"{API}deleted/", {"page": 9}).status_code == 404
