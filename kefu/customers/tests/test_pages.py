"""Customer pages: the 360 page (identity, units, orders, callbacks, archive, history), the unit
archive with uploads, the missing-documents list and the customer list, with query budgets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.customers.models import ArchiveDocument, DocumentType
from kefu.customers.services import archive_document_upload, customer_update
from kefu.customers.tests.factories import (
    VALID_RESIDENT_ID,
    make_asset,
    make_building,
    make_customer,
    make_site,
)
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def zhang(cast):
    unit = make_asset(code="3-2-1201", unit_status="occupied", area="89.50")
    customer = make_customer(name="张三", phones=["13800138000"], assets=[unit], id_type="resident_id",
                             id_number=VALID_RESIDENT_ID, tags=["VIP"], actor_user=cast["agent"])
    customer_update(customer=customer, actor_user=cast["steward"], address="翠湖花园3栋")
    return customer


def test_360_page_shows_the_whole_picture(client, cast, zhang):
    open_order = make_work_order(actor=cast["agent"], customer=zhang, title="水管漏水")
    done = make_work_order(actor=cast["agent"], customer=zhang, title="门禁卡失效")
    advance(done, cast["agent"], ("cancel", {"reason": "重复报修"}))
    client.force_login(cast["agent"])
    html = client.get(reverse("customers:detail", args=[zhang.pk])).content.decode()
    assert "张三" in html and "VIP" in html and "13800138000" in html and VALID_RESIDENT_ID in html
    assert "3-2-1201" in html and "89.50" in html
    assert f'data-number="{open_order.number}"' in html and "水管漏水" in html and "门禁卡失效" in html
    assert html.index("水管漏水") < html.index("门禁卡失效")  # open before past
    assert "翠湖花园3栋" in html and "kefu-history-entry" in html
    assert 'data-document-type="id_copy"' in html


def test_360_page_masks_for_clerk_and_in_english(client, cast, zhang):
    from kefu.org.services import staff_set_language

    staff_set_language(staff=cast["clerk"].staff, language="en")
    client.force_login(cast["clerk"])
    html = client.get(reverse("customers:detail", args=[zhang.pk])).content.decode()
    assert "138****8000" in html and "110***********002X" in html
    assert "13800138000" not in html and VALID_RESIDENT_ID not in html
    assert "Units and assets" in html and "Change history" in html and "Resident ID card" in html


def test_360_page_query_budget(client, cast, zhang, django_assert_max_num_queries):
    for _ in range(3):
        make_work_order(actor=cast["agent"], customer=zhang)
    client.force_login(cast["agent"])
    client.get(reverse("customers:detail", args=[zhang.pk]))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("customers:detail", args=[zhang.pk]))
    assert response.status_code == 200


def test_unknown_customer_is_404(client, cast):
    client.force_login(cast["agent"])
    assert client.get(reverse("customers:detail", args=[999999])).status_code == 404


def test_unit_page_upload_makes_the_document_present(client, cast, zhang):
    unit = zhang.asset_links.get().asset
    floor_plan = DocumentType.objects.get(code="floor_plan")
    client.force_login(cast["steward"])
    page = client.get(reverse("customers:unit", args=[unit.pk])).content.decode()
    assert 'data-percent="0"' in page and "张三" in page
    url = reverse("customers:document_upload", args=["unit", unit.pk, floor_plan.pk])
    response = client.post(url, {"file": SimpleUploadedFile("plan.png", PNG)})
    assert response.status_code == 302 and response["Location"].endswith("#archive")
    page = client.get(reverse("customers:unit", args=[unit.pk])).content.decode()
    assert 'data-percent="17"' in page and "plan.png" in page


def test_unit_page_upload_refused_is_marked_on_the_field(client, cast, zhang):
    unit = zhang.asset_links.get().asset
    floor_plan = DocumentType.objects.get(code="floor_plan")
    client.force_login(cast["steward"])
    url = reverse("customers:document_upload", args=["unit", unit.pk, floor_plan.pk])
    response = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ" * 20)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is-invalid" in html and "kefu-error" in html
    assert ArchiveDocument.objects.count() == 0


def test_upload_refused_for_agent(client, cast, zhang):
    unit = zhang.asset_links.get().asset
    client.force_login(cast["agent"])
    page = client.get(reverse("customers:unit", args=[unit.pk])).content.decode()
    assert "kefu-upload-form" not in page
    url = reverse("customers:document_upload", args=["unit", unit.pk, DocumentType.objects.get(code="floor_plan").pk])
    assert client.post(url, {"file": SimpleUploadedFile("plan.png", PNG)}).status_code == 403
    assert ArchiveDocument.objects.count() == 0


def test_customer_archive_upload_from_360(client, cast, zhang):
    client.force_login(cast["steward"])
    url = reverse("customers:document_upload", args=["customer", zhang.pk,
                                                     DocumentType.objects.get(code="id_copy").pk])
    response = client.post(url, {"file": SimpleUploadedFile("id.png", PNG)})
    assert response.status_code == 302
    assert ArchiveDocument.objects.get().customer == zhang


def test_missing_documents_list(client, cast, org):
    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    building = make_building(site=site, code="3", name="3栋")
    complete = make_asset(code="3-1-101", building=building)
    partial = make_asset(code="3-1-102", building=building)
    for t in DocumentType.objects.filter(scope="unit", required=True):
        archive_document_upload(document_type=t, unit=complete, actor_user=cast["steward"],
                                upload=SimpleUploadedFile("a.png", PNG))
    archive_document_upload(document_type=DocumentType.objects.get(code="floor_plan"), unit=partial,
                            actor_user=cast["steward"], upload=SimpleUploadedFile("a.png", PNG))
    other = make_asset(code="B-1-101", site=make_site(code="B", department=org["other"]))
    client.force_login(cast["steward"])
    html = client.get(reverse("customers:missing_documents")).content.decode()
    assert 'data-unit="3-1-102"' in html and 'data-unit="3-1-101"' not in html
    assert other.code not in html
    # building: 6 + 1 present of 2 × 6 required
    assert f'data-building="{building.pk}" data-percent="58"' in html
    fire = DocumentType.objects.get(code="fire_safety_pledge")
    html = client.get(reverse("customers:missing_documents"), {"document_type": fire.pk}).content.decode()
    assert 'data-unit="3-1-102"' in html and 'data-unit="3-1-101"' not in html


def test_missing_documents_query_budget(client, cast, django_assert_max_num_queries):
    site = make_site()
    for i in range(30):
        make_asset(code=f"Q-{i}", site=site)
    client.force_login(cast["steward"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("customers:missing_documents"))
    assert response.status_code == 200
    assert response.content.decode().count("kefu-missing-row") == 25


def test_customer_list_and_search_budget(client, cast, django_assert_max_num_queries):
    for i in range(30):
        make_customer(name=f"客户{i:02d}", assets=[make_asset()])
    client.force_login(cast["agent"])
    with django_assert_max_num_queries(12):
        html = client.get(reverse("customers:list")).content.decode()
    assert html.count("kefu-customer-row") == 25
    with django_assert_max_num_queries(20):
        html = client.get(reverse("customers:list"), {"q": "客户0"}).content.decode()
    assert html.count("kefu-customer-row") == 10


def test_intake_customer_block_links_to_360(client, cast, zhang):
    client.force_login(cast["agent"])
    html = client.get(reverse("workorders:intake_customer"), {"customer": zhang.pk}).content.decode()
    assert f'href="{reverse("customers:detail", args=[zhang.pk])}"' in html
