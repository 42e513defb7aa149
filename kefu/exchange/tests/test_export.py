"""List exports: the list's own scope and filters, masked personal data, a flat query count."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.callbacks.tests.factories import make_resolved
from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.privacy.models import AccessLog
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))


def test_work_order_export_uses_the_queue_filters_and_masks_phones(cast, client):
    agent = cast["agent"]
    repair = make_work_order(actor=agent, title="漏水", contact_name="张三", contact_phone="13800138000")
    make_work_order(actor=agent, type="complaint", title="噪音", contact_phone="13900139000")
    client.force_login(agent)
    rows = _rows(client.get(reverse("exchange:export", args=["work-orders"]), {"queue": "all", "type": "repair"}))
    assert rows[0][:5] == ("工单号", "类型", "状态", "优先级", "标题")
    assert [r[0] for r in rows[1:]] == [repair.number]
    assert rows[1][6:8] == ("张三", "138****8000")
    unmasked = client.post(reverse("exchange:export", args=["work-orders"]) + "?queue=all&type=repair",
                           {"reason": "回访核对"})
    assert _rows(unmasked)[1][7] == "13800138000"
    assert AccessLog.objects.get().data["rows"] == 1


def test_export_keeps_the_lists_scope(cast, client):
    make_work_order(actor=cast["agent"], title="前台受理")
    client.force_login(cast["vendor"])  # sees only work dispatched to its team
    assert _rows(client.get(reverse("exchange:export", args=["work-orders"]), {"queue": "all"}))[1:] == []


def test_unmasked_export_without_reason_is_refused_and_unknown_lists_404(cast, client):
    client.force_login(cast["manager"])
    response = client.post(reverse("exchange:export", args=["customers"]), {"reason": " "})
    assert response.status_code == 400 and AccessLog.objects.count() == 0
    assert client.get(reverse("exchange:export", args=["nothing"])).status_code == 404


def test_callback_and_unit_exports(cast, client):
    customer = make_customer(name="李四", phones=["13700137000"])
    order = make_resolved(actor=cast["agent"], customer=customer)
    client.force_login(cast["supervisor"])
    rows = _rows(client.get(reverse("exchange:export", args=["callbacks"]), {"queue": "open"}))
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [(order.number, "李四", "137****7000")]
    site = make_site(name="阳光小区")
    unit = make_asset(site=site, code="3-2-1201")
    make_customer(name="王五", phones=["13600136000"], assets=[unit])
    rows = _rows(client.get(reverse("exchange:export", args=["units"])))
    assert rows[1] == ("3-2-1201", "阳光小区", "1栋", 1, "王五", "136****6000")


def test_customer_export_query_count_does_not_grow_with_rows(cast, client, django_assert_max_num_queries):
    site = make_site()
    for i in range(30):
        make_customer(name=f"客户{i}", phones=[f"1380013{i:04d}"], assets=[make_asset(site=site)])
    client.force_login(cast["agent"])
    with django_assert_max_num_queries(12):
        rows = _rows(client.get(reverse("exchange:export", args=["customers"])))
    assert len(rows) == 31


def test_list_pages_carry_an_export_button_with_their_filters(cast, client):
    client.force_login(cast["supervisor"])
    page = client.get(reverse("workorders:queue"), {"queue": "all", "type": "repair"}).content.decode()
    assert 'id="export-work-orders"' in page and "/exchange/export/work-orders.xlsx?queue=all&amp;type=repair" in page
    options = client.get(reverse("exchange:export_options", args=["work-orders"]), {"queue": "all"}).content.decode()
    assert 'data-export="unmasked"' in options and 'action="/exchange/export/work-orders.xlsx?queue=all"' in options
    client.force_login(cast["qa"])
    page = client.get(reverse("callbacks:list")).content.decode()
    assert 'id="export-callbacks"' in page
    options = client.get(reverse("exchange:export_options", args=["callbacks"])).content.decode()
    assert 'data-export="unmasked"' not in options and 'data-export="masked-only"' in options


def test_customer_list_page_has_the_export_button(cast, client):
    client.force_login(cast["agent"])
    page = client.get(reverse("customers:list"), {"q": "张"}).content.decode()
    assert 'id="export-customers"' in page and "/exchange/export/customers.xlsx?q=%E5%BC%A0" in page


def test_unit_export_is_scoped_to_the_actors_sites(cast, org, client):
    make_asset(site=make_site(department=org["other"]), code="X-1")
    make_asset(site=make_site(department=org["company"]), code="C-1")
    client.force_login(cast["steward"])
    assert [r[0] for r in _rows(client.get(reverse("exchange:export", args=["units"])))[1:]] == ["C-1"]
