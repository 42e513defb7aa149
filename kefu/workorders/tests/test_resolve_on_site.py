"""The technician's phone (issue #20): one-tap start, and the resolve form with parts and
materials, photos and the customer's signature — through the gate, all or nothing."""

import base64
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.workorders.choices import Status
from kefu.workorders.models import Attachment, ResolutionMaterial, WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake\n"


def png(width=60, height=30) -> bytes:
    """A real (blank) PNG of the given size, as a canvas would make."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\xff\xff\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SIGNATURE = "data:image/png;base64," + base64.b64encode(png()).decode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def started(cast, org):
    order = make_work_order(actor=cast["agent"], contact_name="王先生", contact_phone="13800001234")
    return advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}),
                   ) and advance(WorkOrder.objects.get(pk=order.pk), cast["technician"], "start")


def _snapshot(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.status, order.version, order.resolution, WorkOrderEvent.objects.filter(work_order=order).count(),
            Attachment.objects.filter(work_order=order).count(), ResolutionMaterial.objects.filter(work_order=order).count())


def _post(client, order, *, version=None, photos=(), **extra):
    data = {"version": order.version if version is None else version, "resolution": "更换了角阀，试水无渗漏",
            "material_description": ["角阀 DN15", "生料带", ""], "material_quantity": ["1", "2", ""],
            "material_unit": ["个", "卷", ""], "confirmed_by": "王先生", "signature": SIGNATURE,
            "photos": [SimpleUploadedFile(name, content, content_type="image/jpeg") for name, content in photos]}
    data.update(extra)
    return client.post(reverse("workorders:resolve", args=[order.pk]), data)


def test_resolve_page_shows_the_description_and_tap_to_call_first(client, cast, started,
                                                                     django_assert_max_num_queries):
    client.force_login(cast["technician"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("workorders:resolve", args=[started.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(started.description) < html.index('name="resolution"')
    assert 'href="tel:13800001234"' in html
    assert 'data-signature-pad' in html and 'data-compress-photos' in html and 'capture="environment"' in html


def test_resolve_with_materials_photos_and_signature(client, cast, started, media):
    client.force_login(cast["technician"])
    response = _post(client, started, photos=[("现场1.jpg", JPEG), ("现场2.png", png(40, 40))])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("workorders:detail", args=[started.pk])
    order = WorkOrder.objects.get(pk=started.pk)
    assert (order.status, order.resolution, order.version) == (Status.RESOLVED, "更换了角阀，试水无渗漏", started.version + 1)
    lines = list(ResolutionMaterial.objects.filter(work_order=order).values_list(
        "position", "description", "quantity", "unit", "recorded_by"))
    assert [(p, d, str(q), u, by) for p, d, q, u, by in lines] == [
        (1, "角阀 DN15", "1.00", "个", cast["technician"].pk), (2, "生料带", "2.00", "卷", cast["technician"].pk)]
    attachments = list(Attachment.objects.filter(work_order=order).order_by("pk"))
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("现场1.jpg", "image/jpeg"), ("现场2.png", "image/png"), ("signature.png", "image/png")]
    assert (media / attachments[2].file.name).read_bytes() == png()
    event = WorkOrderEvent.objects.filter(work_order=order).latest("id")
    assert (event.action, event.body) == ("resolve", "更换了角阀，试水无渗漏")
    assert event.data == {
        "materials": [{"description": "角阀 DN15", "quantity": "1", "unit": "个"},
                      {"description": "生料带", "quantity": "2", "unit": "卷"}],
        "confirmed_by": "王先生", "photos": [attachments[0].pk, attachments[1].pk], "signature": attachments[2].pk}
    # the order page lists the materials and shows the signature with the resolve event
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "角阀 DN15 × 1 个" in page
    assert reverse("workorders:attachment", args=[order.pk, attachments[2].pk]) in page


@pytest.mark.parametrize(("extra", "photos", "field"), [
    ({"material_quantity": ["0", "2", ""]}, [], "materials"),
    ({"material_quantity": ["abc", "2", ""]}, [], "materials"),
    ({"material_description": ["", "生料带", ""]}, [], "materials"),
    ({"material_description": ["x" * 201, "生料带", ""]}, [], "materials"),
    ({}, [("说明.jpg", PDF)], "photos"),
    ({}, [("空.jpg", b"")], "photos"),
    ({"signature": "data:image/png;base64,bm90IGEgcG5n"}, [], "signature"),
    ({"resolution": ""}, [], "resolution"),
    ({"confirmed_by": "王" * 101}, [], "confirmed_by"),
])
def test_bad_input_is_400_naming_the_field_and_writes_nothing(client, cast, started, media, extra, photos, field):
    before = _snapshot(started)
    client.force_login(cast["technician"])
    response = _post(client, started, photos=photos, **extra)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _snapshot(started) == before
    assert not any(media.rglob("*.*"))
    # what the technician typed is kept (the material lines too)
    assert "更换了角阀" in response.content.decode() or field == "resolution"


def test_too_many_photos_is_400(client, cast, started, media, settings):
    client.force_login(cast["technician"])
    response = _post(client, started, photos=[(f"{i}.jpg", JPEG) for i in range(9)])
    assert response.status_code == 400
    assert response.context["form"].errors["photos"] == ["最多 8 张照片。"]


def test_too_large_photo_is_400(client, cast, started, media, settings):
    settings.KEFU_ATTACHMENT_MAX_BYTES = 20
    before = _snapshot(started)
    client.force_login(cast["technician"])
    response = _post(client, started, photos=[("big.jpg", JPEG)])
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert _snapshot(started) == before


def test_a_race_is_409_and_writes_nothing(client, cast, started, media):
    stale = started.version
    advance(started, cast["technician"], ("hold", {"reason": "等配件"}), "resume")  # someone else, meanwhile
    before = _snapshot(started)
    client.force_login(cast["technician"])
    response = _post(client, started, version=stale, photos=[("现场.jpg", JPEG)])
    assert response.status_code == 409
    assert response.context["error_message"] == "此工单已被他人修改，请刷新后重试。"
    assert _snapshot(started) == before
    assert not any(media.rglob("*.*"))


def test_resolve_page_of_an_order_one_may_not_resolve(client, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], ("dispatch", {"team": org["mep"]}))
    client.force_login(cast["other_technician"])
    assert client.get(reverse("workorders:resolve", args=[order.pk])).status_code == 404
    closed = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept",
                     ("resolve", {"resolution": "已答复"}))
    client.force_login(cast["agent"])
    response = client.get(reverse("workorders:resolve", args=[closed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workorders:detail", args=[closed.pk])


def test_start_is_one_tap_and_a_race_is_409(client, cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"],
                    ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    client.force_login(cast["technician"])
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'id="one-tap-start"' in page and 'id="modal-start"' not in page
    assert f'href="{reverse("workorders:resolve", args=[order.pk])}"' not in page  # not startable yet? resolve needs in_progress
    stale = order.version
    response = client.post(reverse("workorders:action", args=[order.pk, "start"]), {"version": stale})
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).status == Status.IN_PROGRESS
    # the second tap (another phone, same page) gets a clear 409, nothing written
    events = WorkOrderEvent.objects.filter(work_order=order).count()
    response = client.post(reverse("workorders:action", args=[order.pk, "start"]), {"version": stale})
    assert response.status_code == 409
    assert WorkOrderEvent.objects.filter(work_order=order).count() == events
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert f'href="{reverse("workorders:resolve", args=[order.pk])}"' in page


# --- the API: the same fields, additive to the resolve action's body ----------------------------

def test_api_resolve_with_materials_and_signature(api, cast, started, media):
    response = api(cast["technician"]).post(f"/api/v1/work-orders/{started.pk}/actions/resolve/", {
        "version": started.version, "resolution": "已修复", "confirmed_by": "王先生", "signature": SIGNATURE,
        "materials": [{"description": "角阀", "quantity": "1.5", "unit": "个"}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    assert list(ResolutionMaterial.objects.filter(work_order=started).values_list("description", "quantity", "unit")) == [
        ("角阀", ResolutionMaterial._meta.get_field("quantity").to_python("1.50"), "个")]
    event = WorkOrderEvent.objects.filter(work_order=started).latest("id")
    signature = Attachment.objects.get(work_order=started)
    assert event.data == {"materials": [{"description": "角阀", "quantity": "1.50", "unit": "个"}],
                          "confirmed_by": "王先生", "signature": signature.pk}


def test_api_resolve_with_photos_multipart(api, cast, started, media):
    response = api(cast["technician"]).post(f"/api/v1/work-orders/{started.pk}/actions/resolve/", {
        "version": started.version, "resolution": "已修复",
        "photos": [SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
                   SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg")]}, format="multipart")
    assert response.status_code == 200, response.json()
    assert list(Attachment.objects.filter(work_order=started).values_list("original_name", flat=True)) == ["a.jpg", "b.jpg"]


@pytest.mark.parametrize(("materials", "field"), [
    ([{"description": "角阀", "quantity": "0"}], "materials.0.quantity"),
    ([{"quantity": "1"}], "materials.0.description"),
    ([{"description": "角阀", "quantity": "1"}] * 31, "materials.non_field_errors")])
def test_api_bad_material_lines_are_400_and_write_nothing(api, cast, started, media, materials, field):
    before = _snapshot(started)
    response = api(cast["technician"]).post(f"/api/v1/work-orders/{started.pk}/actions/resolve/", {
        "resolution": "已修复", "materials": materials}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert _snapshot(started) == before


def test_the_phone_queue_rows_show_the_due_time(client, cast, started):
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.now() + timedelta(hours=2)
    WorkOrder.objects.filter(pk=started.pk).update(sla_due_at=due)
    client.force_login(cast["technician"])
    html = client.get(reverse("workorders:queue") + "?queue=mine").content.decode()
    assert 'class="small d-md-none kefu-phone-due"' in html
    assert timezone.localtime(due).strftime("%m-%d %H:%M") in html
