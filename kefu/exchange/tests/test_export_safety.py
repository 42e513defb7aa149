"""Every list export and the import report write user text that would start a formula as text,
and a control character in a record no longer fails the export (issue #15)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kefu.callbacks.tests.factories import make_resolved
from kefu.customers.models import Asset, Customer
from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.exchange import services
from kefu.exchange.report import import_report_xlsx
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def _sheet(data: bytes, index=0):
    return load_workbook(io.BytesIO(data)).worksheets[index]


def _export(client, name, params=None):
    response = client.get(reverse("exchange:export", args=[name]), params or {})
    assert response.status_code == 200
    return _sheet(b"".join(response.streaming_content))


def _cell(sheet, text):
    found = [c for row in sheet.iter_rows() for c in row if c.value == text]
    assert len(found) == 1, text
    return found[0]


def _assert_text(cell):
    assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_work_order_export(cast, client):
    order = make_work_order(actor=cast["agent"], title="漏水")
    WorkOrder.objects.filter(pk=order.pk).update(title=FORMULA, contact_name="@张三\x01\x1f")
    client.force_login(cast["agent"])
    sheet = _export(client, "work-orders", {"queue": "all"})
    _assert_text(_cell(sheet, FORMULA))
    _assert_text(_cell(sheet, "@张三"))  # the control characters dropped, the export still whole


def test_callback_export(cast, client):
    customer = make_customer(name="李四", phones=["13700137000"])
    make_resolved(actor=cast["agent"], customer=customer)
    Customer.objects.filter(pk=customer.pk).update(name="-1+1\x08")
    client.force_login(cast["supervisor"])
    _assert_text(_cell(_export(client, "callbacks", {"queue": "open"}), "-1+1"))


def test_customer_export(cast, client):
    customer = make_customer(name="王五", phones=["13600136000"])
    Customer.objects.filter(pk=customer.pk).update(name="+cmd|' /C calc'!A0")
    client.force_login(cast["agent"])
    _assert_text(_cell(_export(client, "customers"), "+cmd|' /C calc'!A0"))


def test_unit_export(cast, client):
    unit = make_asset(site=make_site(name="阳光小区"), code="3-2-1201")
    make_customer(name="赵六", phones=["13500135000"], assets=[unit])
    Asset.objects.filter(pk=unit.pk).update(code="\t=1+1")
    client.force_login(cast["agent"])
    _assert_text(_cell(_export(client, "units"), "\t=1+1"))


def test_import_report(cast, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_site(code="S1")
    clerk = cast["clerk"]
    text = "姓名,手机,项目,房号\n张三,13800138000,=1+2,1-1-101\n"
    job = services.import_job_create(actor_user=clerk, upload=SimpleUploadedFile(
        "occupants.csv", text.encode("utf-8-sig"), content_type="text/csv"))
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_start(job=job, actor_user=clerk, commit=False)
    job.refresh_from_db()
    assert list(job.row_errors.values_list("value", flat=True)) == ["=1+2"]
    sheet = _sheet(import_report_xlsx(job).read(), index=1)
    _assert_text(_cell(sheet, "=1+2"))
