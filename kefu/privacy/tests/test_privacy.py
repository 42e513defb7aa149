"""Personal data: masked for everyone on pages until a logged reveal; the role matrix for pages,
API and exports; access-log rows for reveals and unmasked exports, none on refusals."""

import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.customers.tests.factories import VALID_RESIDENT_ID, make_asset, make_customer, make_site
from kefu.privacy import services
from kefu.privacy.models import AccessLog

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13800138000", "138****8000"
ID_MASKED = "110***********002X"
WITH_PERMISSION = {"agent", "steward", "supervisor", "manager", "director", "technician", "administrator"}
WITHOUT_PERMISSION = {"qa", "clerk", "vendor"}
ROLES = sorted(WITH_PERMISSION | WITHOUT_PERMISSION)


@pytest.fixture
def customer(db):
    return make_customer(name="张三", phones=[PHONE], id_type="resident_id", id_number=VALID_RESIDENT_ID)


def _xlsx_rows(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("role", ROLES)
def test_page_shows_masked_value_and_offers_reveal_only_with_permission(role, cast, customer):
    request = RequestFactory().get("/")
    request.user = cast[role]
    phone = customer.phones.get()
    html = Template('{% load privacy %}{% personal_value c.pk "phone" p.number phone_id=p.pk %}'
                    '{% personal_value c.pk "id_number" c.id_number %}').render(
        Context({"c": customer, "p": phone, "request": request}))
    assert MASKED in html and ID_MASKED in html
    assert PHONE not in html and VALID_RESIDENT_ID not in html  # masked on pages for everyone
    assert ('name="reason"' in html) is (role in WITH_PERMISSION)


@pytest.mark.parametrize("role", ROLES)
def test_reveal_writes_a_log_row_or_is_refused_without_one(role, cast, customer, client):
    client.force_login(cast[role])
    phone = customer.phones.get()
    response = client.post(reverse("privacy:reveal"), {"uid": "pv7", "customer": customer.pk, "field": "phone",
                                                        "phone": phone.pk, "reason": "客户来电核实身份"})
    if role in WITH_PERMISSION:
        assert response.status_code == 200
        assert PHONE in response.content.decode() and 'id="pv7"' in response.content.decode()
        log = AccessLog.objects.get()
        assert (log.actor, log.action, log.customer, log.customer_label, log.field, log.reason) == (
            cast[role], "reveal", customer, "张三", "phone", "客户来电核实身份")
    else:
        assert response.status_code == 403
        assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_api_masks_by_role_and_reveal_endpoint_logs(role, cast, customer, api):
    client = api(cast[role])
    listed = client.get(f"/api/v1/customers/{customer.pk}/")
    assert listed.status_code == 200
    assert listed.json()["phones"] == ([PHONE] if role in WITH_PERMISSION else [MASKED])
    revealed = client.post("/api/v1/privacy/reveal/", {"customer": customer.pk, "field": "id_number",
                                                       "reason": "办理业务变更"}, format="json")
    if role in WITH_PERMISSION:
        assert revealed.status_code == 200 and revealed.json() == {"value": VALID_RESIDENT_ID}
        assert list(AccessLog.objects.values_list("field", "reason")) == [("id_number", "办理业务变更")]
    else:
        assert revealed.status_code == 403 and revealed.json()["code"] == "permission_denied"
        assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_export_is_masked_and_unmasked_export_needs_permission_and_is_logged(role, cast, customer, client):
    client.force_login(cast[role])
    masked = client.get(reverse("exchange:export", args=["customers"]))
    assert masked.status_code == 200
    rows = _xlsx_rows(masked)
    assert rows[1][1:5] == ("张三", "个人", MASKED, ID_MASKED)
    assert AccessLog.objects.count() == 0
    unmasked = client.post(reverse("exchange:export", args=["customers"]) + "?q=张", {"reason": "月度核对"})
    if role in WITH_PERMISSION:
        assert unmasked.status_code == 200
        assert _xlsx_rows(unmasked)[1][3:5] == (PHONE, VALID_RESIDENT_ID)
        log = AccessLog.objects.get()
        assert (log.action, log.field, log.reason, log.data) == (
            "export", "all", "月度核对", {"list": "customers", "rows": 1, "filters": {"q": ["张"]}})
    else:
        assert unmasked.status_code == 403
        assert AccessLog.objects.count() == 0


def test_reveal_needs_a_reason_and_a_visible_customer(cast, customer, org):
    agent = cast["agent"]
    with pytest.raises(InvalidInput) as no_reason:
        services.personal_data_reveal(actor_user=agent, customer_id=customer.pk, field="phone", reason="  ",
                                      phone_id=customer.phones.get().pk)
    assert list(no_reason.value.fields) == ["reason"]
    with pytest.raises(NotFound):
        services.personal_data_reveal(actor_user=agent, customer_id=customer.pk + 999, field="phone", reason="x")
    with pytest.raises(NotFound):  # a phone of another customer
        other = make_customer(name="李四", phones=["13900139000"])
        services.personal_data_reveal(actor_user=agent, customer_id=customer.pk, field="phone", reason="x",
                                      phone_id=other.phones.get().pk)
    with pytest.raises(NotAllowed):
        services.personal_data_reveal(actor_user=cast["qa"], customer_id=customer.pk, field="phone", reason="x")
    # A steward of another company does not see this site's occupants: 404, nothing logged.
    site = make_site(department=org["company"])
    occupant = make_customer(name="王五", phones=["13700137000"], assets=[make_asset(site=site)])
    with pytest.raises(NotFound):
        services.personal_data_reveal(actor_user=cast["other_steward"], customer_id=occupant.pk, field="phone",
                                      reason="x", phone_id=occupant.phones.get().pk)
    assert AccessLog.objects.count() == 0


def test_reveal_form_error_is_shown_in_place(cast, customer, client):
    client.force_login(cast["agent"])
    response = client.post(reverse("privacy:reveal"), {"uid": "pv3", "customer": customer.pk, "field": "phone",
                                                        "phone": customer.phones.get().pk, "reason": "",
                                                        "masked": MASKED})
    html = response.content.decode()
    assert response.status_code == 400 and "is-invalid" in html and MASKED in html and PHONE not in html
    assert AccessLog.objects.count() == 0


def test_access_log_page_for_auditors_with_filters(cast, customer, client, django_assert_max_num_queries):
    for reason in ("核实", "回访"):
        services.personal_data_reveal(actor_user=cast["agent"], customer_id=customer.pk, field="phone",
                                      reason=reason, phone_id=customer.phones.get().pk)
    services.personal_data_reveal(actor_user=cast["supervisor"], customer_id=customer.pk, field="id_number",
                                  reason="投诉处理")
    for role in ("agent", "supervisor", "clerk", "vendor"):
        client.force_login(cast[role])
        assert client.get(reverse("privacy:access_log")).status_code == 403
    client.force_login(cast["qa"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("privacy:access_log")).content.decode()
    assert page.count('class="kefu-access-row"') == 3
    page = client.get(reverse("privacy:access_log"), {"who": cast["agent"].pk}).content.decode()
    assert page.count('class="kefu-access-row"') == 2 and "投诉处理" not in page
    page = client.get(reverse("privacy:access_log"), {"whose": "李"}).content.decode()
    assert page.count('class="kefu-access-row"') == 0
    page = client.get(reverse("privacy:access_log"), {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert page.content.decode().count('class="kefu-access-row"') == 0
    client.force_login(cast["administrator"])
    assert client.get(reverse("privacy:access_log"), {"whose": str(customer.pk)}).content.decode().count(
        'class="kefu-access-row"') == 3
