"""Report workbooks (every report's xlsx and the GB/T 19012 evidence workbook) write user text
that would start a formula as text, and survive control characters (issue #15)."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.org.selectors import actor_for_user
from kefu.reports.exports import evidence_xlsx, xlsx_bytes
from kefu.reports.metrics import Period
from kefu.reports.selectors.scope import Scope
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def _cells(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}


def test_report_tables_write_formula_like_text_as_text():
    data = xlsx_bytes(title="报表", period_text="2026-11", tables=[
        ("按站点", ["站点", "工单"], [["=1+1", 3], ["@A1\x00", -2], ["阳光小区", 5]])])
    cells = _cells(data)
    assert (cells["=1+1"].data_type, cells["=1+1"].quotePrefix) == ("s", True)
    assert (cells["@A1"].data_type, cells["@A1"].quotePrefix) == ("s", True)
    assert cells["阳光小区"].quotePrefix is False


def test_evidence_workbook(cast):
    order = make_work_order(actor=cast["agent"], type="complaint", title="噪音")
    WorkOrder.objects.filter(pk=order.pk).update(resolution="-cmd\x1b|calc")
    today = timezone.localdate()
    data = evidence_xlsx(actor=actor_for_user(cast["supervisor"]), scope=Scope(),
                         period=Period(today - dt.timedelta(days=1), today), period_text="p")
    cells = _cells(data)
    assert (cells["-cmd|calc"].data_type, cells["-cmd|calc"].quotePrefix) == ("s", True)
    assert order.number in cells
