"""The /m/ pages: their own cookie (not the staff session), the 404 matrix over every page URL,
refusals shown in the customer's language with a 4xx, the staff QR page and the staff panel."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kefu.customers.tests.factories import make_building
from kefu.portal.models import PortalRequest
from kefu.portal.tests.factories import last_code, make_resident, sign_in
from kefu.portal.views import qr_token
from kefu.workorders.models import Attachment, WorkOrder
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _client(key: str) -> Client:
    client = Client()
    client.cookies[settings.KEFU_PORTAL_COOKIE] = key
    return client


def test_sign_in_page_sets_the_portal_cookie_on_m_only(org):
    make_resident(phone="13955550001")
    client = Client()
    assert client.get("/m/").status_code == 302
    page = client.post("/m/login/", {"phone": "13955550001", "action": "code"})
    assert page.status_code == 200 and "验证码" in page.content.decode()
    no_consent = client.post("/m/login/", {"phone": "13955550001", "action": "token", "code": last_code("13955550001")})
    assert no_consent.status_code == 400 and "请阅读并同意个人信息告知" in no_consent.content.decode()
    done = client.post("/m/login/", {"phone": "13955550001", "action": "token", "code": last_code("13955550001"),
                                     "consent": "on", "next": "/m/report/"})
    assert done.status_code == 302 and done["Location"] == "/m/report/"
    cookie = done.cookies[settings.KEFU_PORTAL_COOKIE]
    assert cookie["path"] == "/m/" and cookie["httponly"]
    assert settings.SESSION_COOKIE_NAME not in done.cookies
    assert client.get("/m/").status_code == 200
    # The portal cookie is nobody on the staff pages.
    assert client.get("/work-orders/").status_code == 302


def test_wrong_code_page_is_a_400_naming_the_field_in_chinese(org):
    client = Client()
    client.post("/m/login/", {"phone": "13955550002", "action": "code"})
    wrong = "000000" if last_code("13955550002") != "000000" else "111111"
    page = client.post("/m/login/", {"phone": "13955550002", "action": "token", "code": wrong, "consent": "on"})
    assert page.status_code == 400
    assert "验证码错误或已过期" in page.content.decode()
    assert settings.KEFU_PORTAL_COOKIE not in page.cookies


def test_page_404_matrix_for_another_customers_order_photo_and_notice(cast):
    from kefu.notices.models import Notice, NoticeRecipient
    from kefu.notifications.models import OutboundMessage

    make_resident(phone="13955550003")
    theirs, their_unit = make_resident(phone="13955550004")
    _account, key = sign_in("13955550003")
    order = make_work_order(actor=cast["agent"], customer=theirs, asset=their_unit)
    attachment = Attachment.objects.create(work_order=order, file="x.png", original_name="x.png",
                                           content_type="image/png", size=10, uploaded_by=cast["agent"],
                                           uploaded_at=timezone.now())
    now = timezone.now()
    notice = Notice.objects.create(title="停电", body="明天停电", created_by=cast["agent"], created_at=now,
                                   updated_at=now, status="sent")
    message = OutboundMessage.objects.create(channel="sms", to_address="13955550004", subject="s", body="b",
                                             next_attempt_at=now, created_at=now)
    NoticeRecipient.objects.create(notice=notice, customer=theirs, message=message)
    client = _client(key)
    version = order.version
    for method, url, data in [
        ("get", f"/m/orders/{order.pk}/", None), ("get", f"/m/orders/{order.pk}/confirm/", None),
        ("post", f"/m/orders/{order.pk}/confirm/", {"solved": "yes"}),
        ("post", f"/m/orders/{order.pk}/message/", {"text": "hi"}),
        ("post", f"/m/orders/{order.pk}/cancel/", {}),
        ("get", f"/m/orders/{order.pk}/photos/{attachment.pk}/", None), ("get", f"/m/notices/{notice.pk}/", None),
    ]:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, url
    order.refresh_from_db()
    assert (order.status, order.version) == ("new", version)


def test_report_page_refusal_keeps_the_text_and_names_the_field(cast):
    _customer, unit = make_resident(phone="13955550005")
    _account, key = sign_in("13955550005")
    client = _client(key)
    page = client.post("/m/report/", {"type": "repair", "unit": unit.pk, "category": "", "text": "门锁坏了"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "门锁坏了" in body and "is-invalid" in body
    assert not WorkOrder.objects.filter(channel="web_portal").exists()


def test_qr_page_refuses_a_forged_token_and_shows_the_building(org):
    building = make_building(code="9", name="9栋")
    assert Client().get(f"/m/q/{qr_token(building)}/").status_code == 200
    assert Client().get("/m/q/not-a-token/").status_code == 404


def test_staff_qr_codes_page_and_the_portal_panel_on_the_order(cast):
    building = make_building(code="5", name="5栋")
    staff = Client()
    staff.force_login(cast["agent"])
    page = staff.get("/m/qr-codes/")
    assert page.status_code == 200 and qr_token(building) in page.content.decode()
    _customer, unit = make_resident(phone="13955550006")
    account, _key = sign_in("13955550006")
    order = make_work_order(actor=cast["agent"], asset=unit, channel="web_portal")
    PortalRequest.objects.create(work_order=order, account=account, created_at=timezone.now(),
                                 shown={"category": "给排水", "unit": unit.code, "photos": 2})
    detail = staff.get(f"/work-orders/{order.pk}/")
    assert "来自客户门户" in detail.content.decode() and "给排水" in detail.content.decode()
    # A portal customer is nobody on the staff QR page.
    assert Client().get("/m/qr-codes/").status_code in (302, 403)
