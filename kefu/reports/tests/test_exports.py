"""The report files as their readers get them: the monthly analysis PDF embeds its Chinese font
(`pdffonts`), holds the figures and display names (never internal codes) and the charts of the
page (Form XObjects drawn server-side); the xlsx holds counts and rates as numbers with number
formats, not text."""

import io
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from kefu.reports.tests.fixtures import NOW, build_month

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
CHARTS = {"trend", "type", "channel", "pareto", "on_time"}


@pytest.fixture
def month(cast, org):
    return build_month(cast, org)


def _download(client, user, report, fmt, params=MARCH) -> bytes:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:export", args=[report, fmt]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _labels(month):
    with translation.override("zh-hans"):
        from kefu.workorders.choices import Channel

        order = month["orders"]["A1"]
        return {"category": order.category.display_name, "category_code": order.category.code,
                "channel": str(Channel(order.channel).label), "channel_code": order.channel}


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils (make system-deps)")
def test_the_analysis_pdf_embeds_its_chinese_font_and_holds_charts_figures_and_names(month, client, cast, settings,
                                                                                     tmp_path):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    content = _download(client, cast["manager"], "service_analysis", "pdf")
    path = tmp_path / "analysis.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    cjk = [line for line in fonts[2:] if "WenQuanYi" in line]
    assert cjk, fonts
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in cjk), cjk  # emb, sub
    assert not [line for line in fonts[2:] if "STSong" in line]

    reader = PdfReader(io.BytesIO(content))
    forms = {}
    for page in reader.pages:
        for name, ref in (page["/Resources"].get("/XObject") or {}).items():
            xobject = ref.get_object()
            if xobject["/Subtype"] == "/Form" and "KefuChart-" in name:
                forms[name.split("KefuChart-")[1]] = xobject.get_data()
    assert set(forms) == CHARTS
    assert all(len(data) > 200 for data in forms.values())  # drawn, not empty

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    labels = _labels(month)
    assert "服务分析" in text and "受理工单数" in text
    assert labels["category"] in text and labels["channel"] in text
    assert labels["category_code"] not in text and labels["channel_code"] not in text
    assert "hotline_400" not in text and "prop.repair" not in text
    assert "83.3%" in text  # first-response on time 5/6
    assert "50.0%" in text  # resolution on time 3/6
    for title in ("每日受理工单数", "按类型", "按渠道", "按类别（帕累托）", "及时率（%）"):
        assert title in text, title


def test_the_analysis_xlsx_holds_numbers_with_number_formats(month, client, cast, settings, tmp_path):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    book = load_workbook(io.BytesIO(_download(client, cast["manager"], "service_analysis", "xlsx")))
    summary = book.worksheets[0]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=3)}
    received = rows["受理工单数"]
    assert (received[1].value, received[1].number_format) == (7, "#,##0")
    on_time = rows["首次响应及时率"]
    assert on_time[1].value == 0.8333 and on_time[1].data_type == "n"
    assert on_time[1].number_format == "0.0%"
    assert (on_time[2].value, on_time[3].value) == (5, 6)
    assert on_time[2].number_format == on_time[3].number_format == "#,##0"
    resolution = rows["办结及时率"]
    assert (resolution[1].value, resolution[1].number_format) == (0.5, "0.0%")
    # no rate or count is text anywhere in the workbook
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.rstrip("%").replace(".", "").isdigit(), (sheet.title, cell.coordinate)
    pareto = book["按类别"]
    first = next(pareto.iter_rows(min_row=3))
    assert first[3].number_format == "0.0%" and 0 < first[3].value <= 1
    times = book["工作时长"]
    row = next(times.iter_rows(min_row=3))
    assert row[2].number_format == "0.0" and row[2].data_type == "n"


def test_the_analysis_has_a_trend_per_day_and_per_week(month, cast):
    import datetime as dt

    from kefu.org.selectors import actor_for_user
    from kefu.reports import selectors
    from kefu.reports.metrics import Period

    actor = actor_for_user(cast["manager"])
    scope = selectors.parse_scope({})
    with time_machine.travel(NOW, tick=False):
        march = selectors.service_analysis(actor=actor, period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
                                           scope=scope)
        quarter = selectors.service_analysis(actor=actor, period=Period(dt.date(2026, 1, 1),
                                                                        dt.date(2026, 3, 31)), scope=scope)
    points = {p["start"]: p["count"] for p in march["trend"]["points"]}
    assert march["trend"]["unit"] == "day" and len(points) == 31
    # A3 05, A1 10, A4 15, A5 16, A2 + A6 20, A7 31 (23:00 +08, 15:00 UTC: still 31 March)
    assert {day: n for day, n in points.items() if n} == {"2026-03-05": 1, "2026-03-10": 1, "2026-03-15": 1,
                                                         "2026-03-16": 1, "2026-03-20": 2, "2026-03-31": 1}
    assert sum(points.values()) == march["total"] == 7
    weeks = quarter["trend"]["points"]
    assert quarter["trend"]["unit"] == "week"
    assert weeks[0]["start"] == "2026-01-01" and weeks[1]["start"] == "2026-01-05"  # then Mondays
    assert sum(p["count"] for p in weeks) == quarter["total"] == 8  # with B2 (1 February)
