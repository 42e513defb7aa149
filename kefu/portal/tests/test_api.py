"""The portal API: scope (a 404 matrix over every URL for another customer's things), reports
with photos, messages, cancel against a staff accept, confirm, reopen, auto-confirm."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.callbacks.models import RatingLink
from kefu.portal import selectors, services
from kefu.portal.models import Confirmation, PortalRequest
from kefu.portal.tests.factories import bearer, make_resident, sign_in
from kefu.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _photo(name="a.png", content=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _category(kind="repair"):
    return selectors.categories_for(type=kind).first()


@pytest.fixture
def two(cast):
    """Two residents in two units, each signed in, and an order on each unit taken by an agent."""
    mine, my_unit = make_resident(phone="13911110001", name="张三")
    theirs, their_unit = make_resident(phone="13911110002", name="李四")
    _a, my_key = sign_in("13911110001", ip="10.0.0.1")
    _b, their_key = sign_in("13911110002", ip="10.0.0.2")
    my_order = make_work_order(actor=cast["agent"], customer=mine, asset=my_unit)
    their_order = make_work_order(actor=cast["agent"], customer=theirs, asset=their_unit)
    return {"me": bearer(APIClient(), my_key), "them": bearer(APIClient(), their_key), "my_unit": my_unit,
            "their_unit": their_unit, "my_order": my_order, "their_order": their_order, "mine": mine,
            "theirs": theirs}


def test_lists_show_only_my_units_and_orders(two, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        orders = two["me"].get("/api/v1/portal/orders/")
    assert orders.status_code == 200
    assert [o["id"] for o in orders.json()] == [two["my_order"].pk]
    units = two["me"].get("/api/v1/portal/units/")
    assert [u["code"] for u in units.json()] == [two["my_unit"].code]


def test_a_404_matrix_over_every_portal_url_for_another_customers_things(two, cast):
    from kefu.notices.models import Notice, NoticeRecipient
    from kefu.notifications.models import OutboundMessage

    order = two["their_order"]
    attachment = Attachment.objects.create(work_order=order, file=_photo(), original_name="x.png",
                                           content_type="image/png", size=len(PNG), uploaded_by=cast["agent"],
                                           uploaded_at=timezone.now())
    now = timezone.now()
    notice = Notice.objects.create(title="停水通知", body="明天停水", created_by=cast["agent"], created_at=now,
                                   updated_at=now, status="sent")
    message = OutboundMessage.objects.create(channel="sms", to_address="13911110002", subject="s", body="b",
                                             next_attempt_at=now, created_at=now)
    NoticeRecipient.objects.create(notice=notice, customer=two["theirs"], message=message)
    before = (WorkOrderEvent.objects.filter(work_order=order).count(), order.version)
    me = two["me"]
    calls = [
        ("get", f"/api/v1/portal/orders/{order.pk}/", None),
        ("post", f"/api/v1/portal/orders/{order.pk}/confirm/", {"solved": True}),
        ("get", f"/api/v1/portal/orders/{order.pk}/messages/", None),
        ("post", f"/api/v1/portal/orders/{order.pk}/messages/", {"text": "hello"}),
        ("post", f"/api/v1/portal/orders/{order.pk}/cancel/", {}),
        ("get", f"/api/v1/portal/orders/{order.pk}/attachments/{attachment.pk}/", None),
        ("get", f"/api/v1/portal/units/{two['their_unit'].pk}/", None),
        ("get", f"/api/v1/portal/notices/{notice.pk}/", None),
        ("get", f"/api/v1/portal/orders/{order.pk + 1000}/", None),
    ]
    for method, url, data in calls:
        response = getattr(me, method)(url, data, format="json") if data is not None else getattr(me, method)(url)
        assert response.status_code == 404, (url, response.status_code)
    # My own attachment URL with their attachment id is a 404 too.
    mine = two["my_order"]
    assert me.get(f"/api/v1/portal/orders/{mine.pk}/attachments/{attachment.pk}/").status_code == 404
    order.refresh_from_db()
    assert (WorkOrderEvent.objects.filter(work_order=order).count(), order.version) == before
    # The owner sees them all.
    assert two["them"].get(f"/api/v1/portal/notices/{notice.pk}/").json()["title"] == "停水通知"
    assert two["them"].get(f"/api/v1/portal/orders/{order.pk}/attachments/{attachment.pk}/").status_code == 200
    assert me.get("/api/v1/portal/notices/").json() == []


def test_report_with_two_photos_becomes_a_web_portal_order_through_intake(two):
    category = _category()
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "repair", "unit": two["my_unit"].pk, "category": category.pk, "text": "厨房水管漏水\n请尽快",
        "slots": ["weekday_morning", "weekend"], "photos": [_photo(), _photo("b.jpg", JPEG, "image/jpeg")]},
        format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    order = WorkOrder.objects.get(pk=body["id"])
    assert (order.channel, order.type, order.status, order.asset, order.customer) == (
        "web_portal", "repair", "new", two["my_unit"], two["mine"])
    assert order.title == "厨房水管漏水" and order.contact_phone == "13911110001"
    assert order.events.filter(action="create").count() == 1
    assert sorted(a.content_type for a in order.attachments.all()) == ["image/jpeg", "image/png"]
    request = PortalRequest.objects.get(work_order=order)
    assert request.preferred_slots == ["weekday_morning", "weekend"] and request.shown["photos"] == 2
    assert [s["kind"] for s in body["timeline"]][:1] == ["step"]
    assert body["can_cancel"] is True


@pytest.mark.parametrize(("photos", "code"), [
    ([_photo("x.gif", b"GIF89a" + b"\x00" * 20, "image/gif")], "unsupported_file_type"),
    ([_photo("x.pdf", b"%PDF-1.4" + b"\x00" * 20, "application/pdf")], "unsupported_file_type"),
    ([_photo("x.png", b"", "image/png")], "unsupported_file_type"),
])
def test_photo_type_refusals_write_nothing(two, photos, code):
    count = WorkOrder.objects.count()
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "repair", "unit": two["my_unit"].pk, "category": _category().pk, "text": "漏水", "photos": photos},
        format="multipart")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["photos"]
    assert WorkOrder.objects.count() == count and not PortalRequest.objects.exists()


@override_settings(KEFU_ATTACHMENT_MAX_BYTES=1024)
def test_photo_size_and_count_refusals(two):
    big = _photo("big.jpg", JPEG + b"\x00" * 2048, "image/jpeg")
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "repair", "unit": two["my_unit"].pk, "category": _category().pk, "text": "漏水", "photos": [big]},
        format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
    seven = [_photo(f"{n}.png") for n in range(7)]
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "repair", "unit": two["my_unit"].pk, "category": _category().pk, "text": "漏水", "photos": seven},
        format="multipart")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["photos"]
    assert not PortalRequest.objects.exists()


def test_report_refuses_someone_elses_unit_naming_the_field(two):
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "repair", "unit": two["their_unit"].pk, "category": _category().pk, "text": "漏水"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["unit"]
    response = two["me"].post("/api/v1/portal/orders/", {
        "type": "praise", "unit": two["my_unit"].pk, "category": _category().pk, "text": "好"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["type"]


def test_messages_join_the_order_history_both_ways(two, cast):
    order = two["my_order"]
    response = two["me"].post(f"/api/v1/portal/orders/{order.pk}/messages/", {"text": "师傅几点到？"}, format="json")
    assert response.status_code == 201 and response.json()["from_customer"] is True
    event = order.events.filter(action="comment").latest("id")
    assert event.internal is False and "师傅几点到？" in event.body
    advance(order, cast["agent"], ("comment", {"body": "下午两点到", "internal": False}),
            ("comment", {"body": "内部备注", "internal": True}))
    texts = [(m["text"], m["from_customer"]) for m in two["me"].get(f"/api/v1/portal/orders/{order.pk}/messages/").json()]
    assert texts[-1] == ("下午两点到", False)
    assert all("内部备注" not in t for t, _f in texts)


def test_cancel_while_untaken_and_the_race_with_a_staff_accept(two, cast):
    order = two["my_order"]
    seen = order.version
    # Staff accept first: the customer's cancel (of the version they saw) is a clear 409.
    advance(order, cast["agent"], "accept")
    response = two["me"].post(f"/api/v1/portal/orders/{order.pk}/cancel/", {"version": seen}, format="json")
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == "accepted"
    # The customer cancels first: the staff accept is the one refused.
    other = make_work_order(actor=cast["agent"], customer=two["mine"], asset=two["my_unit"])
    ok = two["me"].post(f"/api/v1/portal/orders/{other.pk}/cancel/", {"version": other.version, "reason": "已自行修好"},
                        format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    from kefu.core.errors import Conflict

    with pytest.raises(Conflict):
        advance(other, cast["agent"], "accept")


def test_confirm_solved_records_with_signature_then_the_rating_link(two, cast):
    import base64

    order = advance(two["my_order"], cast["agent"], "accept", ("resolve", {"resolution": "已更换水管"}))
    signature = "data:image/png;base64," + base64.b64encode(_png(40, 30)).decode()
    response = two["me"].post(f"/api/v1/portal/orders/{order.pk}/confirm/",
                              {"solved": True, "comment": "谢谢", "signature": signature}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["solved"] is True and "/callbacks/rate/" in response.json()["rating_url"]
    confirmation = Confirmation.objects.get(work_order=order)
    assert confirmation.solved and not confirmation.automatic and confirmation.signature.name.endswith(".png")
    assert RatingLink.objects.filter(work_order=order, channel="portal").count() == 1
    again = two["me"].post(f"/api/v1/portal/orders/{order.pk}/confirm/", {"solved": True}, format="json")
    assert again.status_code == 409


def _png(width, height):
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\xff\xff\xff\xff" * width for _row in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_not_solved_reopens_through_the_gate_with_their_words(two, cast):
    order = advance(two["my_order"], cast["agent"], "accept", ("resolve", {"resolution": "已处理"}))
    missing = two["me"].post(f"/api/v1/portal/orders/{order.pk}/confirm/", {"solved": False}, format="json")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["comment"]
    response = two["me"].post(f"/api/v1/portal/orders/{order.pk}/confirm/",
                              {"solved": False, "comment": "还在漏"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    reopen = order.events.get(action="reopen")
    assert "还在漏" in reopen.body
    order.refresh_from_db()
    assert order.reopen_count == 1


def test_confirm_of_an_open_order_is_a_409(two):
    response = two["me"].post(f"/api/v1/portal/orders/{two['my_order'].pk}/confirm/", {"solved": True}, format="json")
    assert response.status_code == 409
    assert not Confirmation.objects.exists()


def test_auto_confirm_after_n_business_days(two, cast):
    order = advance(two["my_order"], cast["agent"], "accept", ("resolve", {"resolution": "已处理"}))
    order.refresh_from_db()
    resolved = order.resolved_at
    due = services._business_days_after(resolved, 3)
    assert services.auto_confirm_due(now=due - timedelta(minutes=1)) == 0
    assert services.auto_confirm_due(now=due) == 1
    confirmation = Confirmation.objects.get(work_order=order)
    assert (confirmation.automatic, confirmation.solved, confirmation.account) == (True, True, None)
    note = order.events.filter(action="comment").latest("id")
    assert note.data["automatic"] is True and note.internal is False
    assert services.auto_confirm_due(now=due + timedelta(days=1)) == 0
    # The customer is then told it is already confirmed.
    assert two["me"].post(f"/api/v1/portal/orders/{order.pk}/confirm/", {"solved": True},
                          format="json").status_code == 409


def test_business_days_skip_weekends():
    from datetime import datetime

    from django.utils.timezone import make_aware

    friday = make_aware(datetime(2031, 3, 7, 10, 0))  # a Friday without holidays around it
    assert services._business_days_after(friday, 3).date().isoformat() == "2031-03-12"


def test_demo_logins_print_the_portal_and_a_resident(org):
    from io import StringIO

    from django.core.management import call_command

    make_resident(phone="13944440001", name="赵六", unit_code="DEMO-1-101")
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "http://127.0.0.1:8000/m/" in out.getvalue()
    assert "portal resident 13944440001 · 赵六 · DEMO-1-101" in out.getvalue()
