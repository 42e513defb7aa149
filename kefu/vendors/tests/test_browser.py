"""Desktop, in a real browser (Debian's Chromium): a manager opens a vendor's monthly scorecard,
sees it explained line by line, signs it off and downloads the settlement statement."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from kefu.vendors import services
from kefu.vendors.models import Attendance, Scorecard
from kefu.vendors.tests.factories import make_contract, make_vendor
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def test_manager_signs_off_a_scorecard_and_downloads_the_statement(live_server, cast, org, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    vendor = make_vendor(actor=cast["supervisor"], team=org["vend"])
    make_contract(actor=cast["supervisor"], vendor=vendor)
    services.nonconformity_create(actor_user=cast["supervisor"], vendor=vendor, description="机房未上锁",
                                  deadline=date(2026, 3, 10),
                                  found_at=datetime(2026, 3, 4, 10, tzinfo=timezone.get_current_timezone()))
    card = services.scorecard_compute(actor_user=cast["supervisor"], vendor=vendor, month=date(2026, 3, 1))
    session = _session_cookie(cast["manager"])
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, viewport={"width": 1280, "height": 900},
                        accept_downloads=True)
        page.goto(f"{live_server.url}/vendors/scorecards/")
        page.click(f"tr[data-card='{card.pk}'] a")
        expect(page.locator("h1")).to_contain_text("奥达电梯维保有限公司 · 2026-03")
        expect(page.locator("#scorecard-lines tbody tr")).to_have_count(6)
        # the manual line is entered before signing off: signing without it is refused
        page.click("#sign-off")
        expect(page.locator(".alert")).to_contain_text("请先填写所有手工评分项再签认")
        page.fill("input[name=manual_6]", "80")
        page.click("#recompute")
        expect(page.locator("tr[data-line='6'] .kefu-score")).to_have_text("8.00")
        # 30 + 20 + 20 (no orders or callbacks: full weight) + 0 (the nonconformity is not closed)
        # + 10 (no patrol answers) + 8 = 88 < 90: ¥10,000 − ¥200 penalty − 5 % = ¥9,300
        expect(page.locator("#scorecard-total")).to_have_text("88.00")
        expect(page.locator("#payable")).to_have_text("9300.00")
        page.click("#sign-off")
        expect(page.locator("#scorecard-status")).to_have_text("已签认")
        expect(page.locator("#sign-off")).to_have_count(0)
        with page.expect_download() as download:
            page.click("#statement-xlsx")
        path = tmp_path / "statement.xlsx"
        download.value.save_as(path)
        with page.expect_download() as download_pdf:
            page.click("#statement-pdf")
        pdf = tmp_path / "statement.pdf"
        download_pdf.value.save_as(pdf)
        page.screenshot(path=str(ARTIFACTS / "vendor_scorecard_signed_desktop_zh.png"), full_page=True)
        browser.close()

    card = Scorecard.objects.get(pk=card.pk)
    assert (card.status, card.signed_by_id, card.total, card.payable) == ("signed", cast["manager"].pk, 88, 9300)
    assert path.read_bytes()[:2] == b"PK" and pdf.read_bytes()[:5] == b"%PDF-"
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ("供方月度结算单", "奥达电梯维保有限公司", "2026-03")
    assert ("应付金额（元）", "9300.00") in [tuple(r[:2]) for r in values]


def test_vendor_user_registers_staff_and_records_attendance_on_a_phone(live_server, cast, org):
    """At 390 px, in Chinese: the vendor's own user opens their vendor (the only one listed),
    registers a worker with a certificate about to expire and records today's attendance; at
    desktop width, in English, the supervisor reads the month's summary."""
    from playwright.sync_api import expect, sync_playwright

    vendor = make_vendor(actor=cast["supervisor"], team=org["vend"])
    make_vendor(actor=cast["supervisor"], team=org["mep"], name="洁美保洁服务有限公司", scope="cleaning")
    cast["supervisor"].staff.language = "en"
    cast["supervisor"].staff.save(update_fields=["language"])
    today = timezone.localdate()
    sessions = {name: _session_cookie(cast[name]) for name in ("vendor", "supervisor")}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, sessions["vendor"], viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True)
        page.goto(f"{base}/vendors/")
        expect(page.locator("h1")).to_contain_text("供方")
        expect(page.locator(".kefu-vendor-row")).to_have_count(1)
        page.click(".kefu-vendor-row")
        expect(page.locator("#vendor-name")).to_have_text("奥达电梯维保有限公司")
        page.click("#staff details summary")
        page.fill("#id_worker_name", "钱师傅")
        page.fill("#id_worker_post", "电梯维保工")
        page.fill("#id_worker_started_on", (today - timedelta(days=3)).isoformat())
        page.fill("#id_worker_qualification", "电梯作业人员证(T)")
        page.fill("#id_worker_expires_on", (today + timedelta(days=10)).isoformat())
        page.click("#register-worker")
        expect(page.locator(".alert-success")).to_contain_text("人员已登记")
        expect(page.locator("#worker-table .kefu-qualification[data-state=expiring]")).to_contain_text("即将到期")
        page.click("#attendance details summary")
        page.locator("#attendance-form select").first.select_option("late")
        page.click("#record-attendance")
        expect(page.locator(".alert-success")).to_contain_text("已登记 1 人的考勤")
        expect(page.locator("#attendance-summary tbody tr td").nth(2)).to_have_text("1")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(ARTIFACTS / "vendor_staff_phone_zh.png"), full_page=True)

        desk = _page_as(browser, base, sessions["supervisor"], viewport={"width": 1280, "height": 900})
        desk.goto(f"{base}/vendors/{vendor.pk}/?month={today:%Y-%m}")
        expect(desk.locator("#staff-title")).to_have_text("Staff on site")
        expect(desk.locator("#attendance-totals td").nth(2)).to_have_text("1")
        expect(desk.locator(".kefu-vendor-row")).to_have_count(0)
        desk.screenshot(path=str(ARTIFACTS / "vendor_staff_desktop_en.png"), full_page=True)
        browser.close()

    row = Attendance.objects.get()
    assert (row.worker.name, row.day, row.status, row.recorded_by_id) == ("钱师傅", today, "late", cast["vendor"].pk)


def test_vendor_replies_to_a_nonconformity_on_a_phone_and_the_supervisor_verifies(live_server, cast, org):
    """390 px, Chinese: the vendor user replies with the rectification; desktop, English: the
    supervisor verifies and closes it."""
    from playwright.sync_api import expect, sync_playwright

    vendor = make_vendor(actor=cast["supervisor"], team=org["vend"])
    nc = services.nonconformity_create(actor_user=cast["supervisor"], vendor=vendor, description="机房未上锁",
                                       deadline=date(2026, 12, 10),
                                       found_at=datetime(2026, 12, 4, 10, tzinfo=timezone.get_current_timezone()))
    cast["supervisor"].staff.language = "en"
    cast["supervisor"].staff.save(update_fields=["language"])
    sessions = {name: _session_cookie(cast[name]) for name in ("vendor", "supervisor")}
    base = live_server.url

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, sessions["vendor"], viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True)
        page.goto(f"{base}/vendors/nonconformities/")
        page.click(f".kefu-nc-row[data-nc='{nc.pk}']")
        expect(page.locator("#nc-description")).to_have_text("机房未上锁")
        page.fill("#id_reply_reply", "已加锁并张贴警示")
        page.click("#reply-button")
        expect(page.locator("#nc-reply")).to_have_text("已加锁并张贴警示")
        expect(page.locator("#form-reply")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(ARTIFACTS / "vendor_nonconformity_reply_phone_zh.png"), full_page=True)

        desk = _page_as(browser, base, sessions["supervisor"], viewport={"width": 1280, "height": 900})
        desk.goto(f"{base}/vendors/nonconformities/{nc.pk}/")
        desk.fill("#id_verify_verification", "Checked on site: locked.")
        desk.click("#verify-button")
        expect(desk.locator("#nc-status")).to_have_text("Closed")
        desk.screenshot(path=str(ARTIFACTS / "vendor_nonconformity_verified_desktop_en.png"), full_page=True)
        browser.close()

    from kefu.vendors.models import Nonconformity

    assert Nonconformity.objects.get(pk=nc.pk).status == "closed"
