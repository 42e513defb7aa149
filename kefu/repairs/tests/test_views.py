"""The repair pages: the list (repair history), one record and its forms, the PDF sheet, the
equipment history, the panel on the order's page; visibility and query budgets."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.repairs.models import RepairRecord
from kefu.repairs.tests.factories import dispatched_repair, make_equipment, make_materials, open_record

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_detail_and_equipment_history(cast, org, django_assert_max_num_queries):
    pump = make_equipment()
    records = [open_record(cast, org) for _ in range(3)]
    RepairRecord.objects.filter(pk=records[0].pk).update(equipment=pump)
    client = _client(cast["technician"])
    client.get(reverse("repairs:list"))  # warm the session and the actor's caches
    with django_assert_max_num_queries(12):
        page = client.get(reverse("repairs:list"))
    assert page.status_code == 200
    assert page.content.decode().count('class="kefu-repair-row"') == 3
    history = client.get(reverse("repairs:equipment_detail", args=[pump.pk])).content.decode()
    assert history.count('class="kefu-repair-row"') == 1 and records[0].work_order.number in history
    detail = client.get(reverse("repairs:detail", args=[records[1].pk]))
    assert detail.status_code == 200 and 'id="form-update"' in detail.content.decode()
    assert _client(cast["vendor"]).get(reverse("repairs:detail", args=[records[1].pk])).status_code == 404
    assert _client(cast["other_steward"]).get(reverse("repairs:list")).content.decode().count("kefu-repair-row") == 0


def test_forms_post_through_the_service_and_refusals_keep_the_page(cast, org):
    valve = make_materials()["valve"]
    record = open_record(cast, org)
    client = _client(cast["technician"])
    url = reverse("repairs:action", args=[record.pk, "add_part"])
    response = client.post(url, {"version": 1, "material": valve.pk, "quantity": "2"})
    assert response.status_code == 302
    stale = client.post(url, {"version": 1, "material": valve.pk, "quantity": "1"})
    assert stale.status_code == 409
    bad = client.post(reverse("repairs:action", args=[record.pk, "update"]),
                      {"version": 2, "labour_minutes": "-5"})
    assert bad.status_code == 400
    stored = RepairRecord.objects.get(pk=record.pk)
    assert (stored.version, str(stored.parts_total), stored.labour_minutes) == (2, "70.00", 0)


def test_pdf_sheet_and_order_panel(cast, org):
    record = open_record(cast, org)
    client = _client(cast["technician"])
    pdf = client.get(reverse("repairs:sheet", args=[record.pk]))
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    order_page = client.get(reverse("workorders:detail", args=[record.work_order_id])).content.decode()
    assert reverse("repairs:detail", args=[record.pk]) in order_page
    fresh = dispatched_repair(cast, org)
    page = client.get(reverse("workorders:detail", args=[fresh.pk])).content.decode()
    assert 'id="start-repair-record"' in page
    opened = client.post(reverse("repairs:open", args=[fresh.pk]))
    assert opened.status_code == 302 and RepairRecord.objects.filter(work_order=fresh).exists()
