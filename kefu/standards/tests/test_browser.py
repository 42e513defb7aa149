"""A real browser (Debian's Chromium) drives the standards board: a manager opens the board of a
site for last quarter, sees the 3-day closure missed, drills into its records, changes the site's
rule (recorded), exports the evidence PDF — in Chinese on a desktop and in English at 390 px.

ORM set-up and assertions stay outside the `sync_playwright()` block."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from kefu.standards.models import StandardRule, StandardRuleEvent
from kefu.standards.selectors import default_period
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

SH = ZoneInfo("Asia/Shanghai")


def _late_complaint(cast, site):
    """A complaint of last quarter at the site, resolved five days after it came in."""
    from kefu.customers.tests.factories import make_asset
    from kefu.workorders.services import work_order_transition
    from kefu.workorders.tests.factories import make_work_order

    start, _end = default_period(timezone.localdate())
    received = dt.datetime.combine(start + dt.timedelta(days=10), dt.time(10), tzinfo=SH)
    with time_machine.travel(received, tick=False):
        order = make_work_order(actor=cast["agent"], type="complaint", received_at=received,
                                asset=make_asset(site=site), contact_phone="13800138000")
        work_order_transition(work_order=order, action="accept", actor_user=cast["agent"])
    with time_machine.travel(received + dt.timedelta(days=5), tick=False):
        work_order_transition(work_order=order, action="resolve", actor_user=cast["agent"], resolution="已处理")
    return order


def test_manager_reads_drills_changes_a_site_rule_and_exports(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.customers.tests.factories import make_site

    site = make_site(department=org["cs"], name="阳光小区")
    order = _late_complaint(cast, site)
    session = _session_cookie(cast["manager"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    files = {}

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, accept_downloads=True)
        page.goto(f"{base}/standards/")  # last quarter by default
        expect(page.locator("h1")).to_have_text("服务标准")
        page.select_option("#id_site", str(site.pk))
        page.click("#board-show")
        row = page.locator(".kefu-standard[data-code=complaint_closed_3d]")
        expect(row).to_have_attribute("data-status", "missed")
        expect(row.locator(".kefu-status")).to_have_text("未达标")
        expect(row.locator(".kefu-value")).to_have_text("0.0%")
        expect(page.locator(".kefu-standard[data-code=three_rings] .kefu-status")).to_have_text("暂无数据")
        page.screenshot(path=str(ARTIFACTS / "standards_board_zh.png"), full_page=True)

        row.locator("a.kefu-standard-link").click()
        expect(page.locator("h1")).to_have_text("抱怨单三天内封闭")
        expect(page.locator(".kefu-record-row")).to_have_count(1)
        expect(page.locator(".kefu-record-row")).to_contain_text(order.number)
        expect(page.locator(".kefu-record-row")).to_have_attribute("data-counted", "0")
        expect(page.locator("#id_param_hours")).to_be_disabled()  # the SLA policy's, not editable here
        page.fill("#id_target", "0.8")
        page.click("#rule-save")
        expect(page.locator(".alert-success")).to_contain_text("规则已保存")
        expect(page.locator(".kefu-rule-event")).to_have_count(1)
        expect(page.locator("#rule-in-force")).to_contain_text("项目规则")
        page.screenshot(path=str(ARTIFACTS / "standards_records_zh.png"), full_page=True)

        page.click("#back-to-board")
        expect(page.locator(".kefu-standard[data-code=complaint_closed_3d] .kefu-origin")).to_have_text("项目规则")
        with page.expect_download() as download:
            page.click("#export-pdf")
        files["pdf"] = download.value.path().read_bytes()
        browser.close()

    rule = StandardRule.objects.get()
    assert (rule.standard.code, rule.site_id, str(rule.target), rule.updated_by) == (
        "complaint_closed_3d", site.pk, "0.8000", cast["manager"])
    event = StandardRuleEvent.objects.get()
    assert (event.actor, event.data["after"]["target"]) == (cast["manager"], "0.8")
    assert files["pdf"].startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "抱怨单三天内封闭" in text and order.number in text


def test_english_phone_board_and_records(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.customers.tests.factories import make_site

    site = make_site(department=org["cs"])
    _late_complaint(cast, site)
    cast["manager"].staff.language = "en"
    cast["manager"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["manager"])
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, accept_downloads=True, **phone)
        page.goto(f"{live_server.url}/standards/?site={site.pk}")
        expect(page.locator("h1")).to_have_text("Service standards")
        row = page.locator(".kefu-standard[data-code=complaint_closed_3d]")
        expect(row.locator(".kefu-status")).to_have_text("Missed")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "standards_board_phone_en.png"), full_page=True)
        row.locator("a.kefu-standard-link").click()
        expect(page.locator("h1")).to_have_text("Complaint sheet closed within three days")
        expect(page.locator(".kefu-total")).to_have_text("1 record")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#id_target", "abc")  # refused, named, nothing written
        page.click("#rule-save")
        expect(page.locator(".alert-danger")).to_contain_text("target")
        page.fill("#id_target", "0.9")
        page.click("#rule-save")
        expect(page.locator(".alert-success")).to_contain_text("Rule saved")
        expect(page.locator(".kefu-rule-event")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "standards_records_phone_en.png"), full_page=True)
        page.click("#back-to-board")
        with page.expect_download() as download:
            page.click("#export-pdf")
        pdf = download.value.path().read_bytes()
        browser.close()

    assert pdf.startswith(b"%PDF")
    assert [(r.site_id, str(r.target)) for r in StandardRule.objects.all()] == [(site.pk, "0.9000")]
