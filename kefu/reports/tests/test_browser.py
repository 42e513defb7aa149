"""A manager opens the March service analysis in Chinese in a real Chromium, clicks a figure, sees
the matching orders, and downloads the xlsx and the PDF (both checked); the dashboard renders
its charts and refreshes by polling; the page works at phone width.

ORM set-up and assertions happen outside the `sync_playwright()` block (Playwright runs an event
loop in this thread and Django refuses database access from inside one).
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kefu.reports.tests.fixtures import build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 10000

if not Path(CHROMIUM).exists():  # never download a browser: skip where Debian's is missing
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(browser, base, session, **context_args):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
                                  accept_downloads=True, **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context.new_page()


def test_manager_reads_the_monthly_report_drills_down_and_downloads(live_server, cast, org, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    month = build_month(cast, org)
    # The clocks and callbacks the list must show (resolution on time: A1, A4, A6).
    expected = sorted(month["orders"][k].number for k in ("A1", "A4", "A6"))
    session = _session_cookie(cast["manager"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    files = {}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _page(browser, base, session)
        page.goto(f"{base}/reports/?start=2026-03-01&end=2026-03-31")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("h1")).to_have_text("服务分析")
        expect(page.locator("[data-figure=total]")).to_have_text("7")
        row = page.locator("tr[data-row=resolution_on_time_rate]")
        expect(row).to_contain_text("办结及时率")
        expect(row.locator(".kefu-rate").first).to_have_text("50.0%")
        page.screenshot(path=str(ARTIFACTS / "reports_service_analysis_zh.png"), full_page=True)

        # the figure opens the orders behind it
        page.click("[data-figure=resolution_on_time_rate-numerator]")
        page.wait_for_selector(".kefu-total")
        expect(page.locator(".kefu-total")).to_have_text("共 3 张工单")
        numbers = sorted(page.locator(".kefu-queue-table tbody tr td:first-child a").all_inner_texts())
        page.go_back()

        # downloads
        page.wait_for_selector("#export-xlsx")
        with page.expect_download() as download:
            page.click("#export-xlsx")
        files["xlsx"] = download.value.path().read_bytes()
        with page.expect_download() as download:
            page.click("#export-pdf")
        files["pdf"] = download.value.path().read_bytes()

        # the htmx period picker swaps the results in place
        page.fill("#id_start", "2026-02-01")
        page.fill("#id_end", "2026-02-28")
        page.click("#report-filters button[type=submit]")
        expect(page.locator("[data-figure=total]")).to_have_text("1")
        assert "start=2026-02-01" in page.url

        # phone width: the summary still shows the current column
        phone = _page(browser, base, session, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{base}/reports/?start=2026-03-01&end=2026-03-31")
        expect(phone.locator("[data-figure=total]")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.screenshot(path=str(ARTIFACTS / "reports_service_analysis_phone.png"), full_page=True)

        # the dashboard draws its charts (ECharts from our own server)
        board = _page(browser, base, session)
        board.goto(f"{base}/reports/dashboard/")
        board.wait_for_selector("#chart-categories canvas")
        expect(board.locator("#dashboard-panel")).to_have_attribute("hx-trigger", "every 30s")
        board.screenshot(path=str(ARTIFACTS / "reports_dashboard_zh.png"), full_page=True)
        browser.close()

    assert numbers == expected
    from openpyxl import load_workbook
    from pypdf import PdfReader

    book = load_workbook(io.BytesIO(files["xlsx"]))
    summary = book.worksheets[0]
    assert summary.cell(row=3, column=2).value == 7
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "服务分析" in text and "83.3%" in text and "50.0%" in text


def test_complaint_report_duty_log_and_history_in_english(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.models import Staff

    month = build_month(cast, org)
    Staff.objects.filter(user=cast["supervisor"]).update(language="en")
    session = _session_cookie(cast["supervisor"])
    a2 = month["orders"]["A2"].number
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _page(browser, base, session)
        page.goto(f"{base}/reports/complaint/?start=2026-03-01&end=2026-03-31")
        expect(page.locator("h1")).to_have_text("Complaint report")
        expect(page.locator("[data-figure=total]")).to_have_text("3")
        expect(page.locator("tr[data-row=repeat_complaint_rate] .kefu-rate")).to_have_text("33.3%")
        page.click("[data-figure=repeat_complaint_rate-numerator]")
        expect(page.locator(".kefu-total")).to_have_text("1 work order")
        expect(page.locator(".kefu-queue-table")).to_contain_text(a2)
        page.go_back()
        with page.expect_download() as download:
            page.click("#export-evidence")
        assert download.value.suggested_filename.startswith("kefu-evidence-20260301")

        page.goto(f"{base}/reports/duty-log/?day=2026-03-20&shift=all")
        expect(page.locator("#duty-received")).to_contain_text(a2)
        page.select_option("#id_shift", "night")
        page.click("#duty-filters button[type=submit]")
        expect(page.locator("#duty-received")).not_to_contain_text(a2)

        page.goto(f"{base}/reports/generated/")
        expect(page.locator("#generated-reports")).to_contain_text("Complaint-handling evidence")
        page.screenshot(path=str(ARTIFACTS / "reports_generated_en.png"), full_page=True)
        browser.close()
