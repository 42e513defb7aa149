"""A real browser (Debian's Chromium): the desk issues a release pass, the steward approves it,
the guard opens the gate page on a 390 px phone and records the exit; a second scan shows when
it was used. Chinese (desk, guard) and English (the arrears page)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from kefu.frontdesk.models import ReleasePass
from kefu.frontdesk.tests.factories import in_arrears, make_estate, make_unit
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_desk_issues_a_pass_and_the_guard_scans_it_on_a_phone(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    estate = make_estate(org)
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    sessions = {name: _session_cookie(cast[name]) for name in ("agent", "steward", "clerk")}
    today = timezone.localdate().isoformat()
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        desk = _page_as(browser, base, sessions["agent"])
        desk.goto(f"{base}/frontdesk/passes/")
        expect(desk.locator("h1")).to_have_text("放行单")
        desk.click("#new-pass")
        desk.fill("#id_unit_code", "CH-1-1203")
        desk.wait_for_selector(f"#id_requester option[value='{owner.pk}']", state="attached")
        desk.select_option("#id_requester", str(owner.pk))
        desk.fill("#id_items", "沙发 × 1\n纸箱 × 12")
        desk.fill("#id_moving_date", today)
        desk.fill("#id_vehicle", "浙A12345")
        desk.click("#submit-pass")
        desk.wait_for_selector(".alert-success")
        expect(desk.locator("#pass-status")).to_contain_text("已申请")
        expect(desk.locator("#pass-items tbody tr")).to_have_count(2)
        pass_url = desk.url

        steward = _page_as(browser, base, sessions["steward"], **PHONE)
        steward.goto(pass_url)
        steward.click("button[data-action=approve]")
        steward.wait_for_selector("#pass-qr svg")
        expect(steward.locator("#pass-status")).to_contain_text("已批准")
        steward.screenshot(path=str(ARTIFACTS / "release_pass_approved_phone_zh.png"), full_page=True)
        gate_url = steward.locator("#gate-link").get_attribute("href")

        guard = _page_as(browser, base, sessions["clerk"], **PHONE)
        guard.goto(f"{base}{gate_url}")
        expect(guard.locator("#scan-items li")).to_have_count(2)
        assert guard.evaluate("document.documentElement.scrollWidth") <= 390
        guard.click("#record-exit")
        guard.wait_for_selector("#scan-used")
        expect(guard.locator("#scan-status")).to_contain_text("已放行")
        expect(guard.locator("#record-exit")).to_have_count(0)
        guard.screenshot(path=str(ARTIFACTS / "release_pass_gate_phone_zh.png"), full_page=True)
        # a second guard, with the page still open from before, scans again: refused, says when
        late = _page_as(browser, base, sessions["agent"], **PHONE)
        late.goto(f"{base}{gate_url}")
        expect(late.locator("#scan-used")).to_contain_text("已使用")
        browser.close()

    release_pass = ReleasePass.objects.get()
    assert (release_pass.status, release_pass.used_by, release_pass.approved_by) == (
        "used", cast["clerk"], cast["steward"])
    assert release_pass.items == [{"name": "沙发", "quantity": 1}, {"name": "纸箱", "quantity": 12}]
    assert list(release_pass.events.order_by("id").values_list("action", flat=True)) == ["create", "approve", "scan"]


def test_arrears_refusal_and_the_arrears_page_in_english(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    estate = make_estate(org)
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    in_arrears(cast["clerk"], estate, unit, amount="250.00", days_ago=40)
    cast["agent"].staff.language = "en"
    cast["agent"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["agent"])
    base = live_server.url

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, **PHONE)
        page.goto(f"{base}/frontdesk/fees/arrears/")
        expect(page.locator("h1")).to_have_text("Arrears")
        expect(page.locator(".kefu-arrears-row")).to_have_count(1)
        expect(page.locator(".kefu-ageing[data-bucket='31-90'] .kefu-ageing-units")).to_have_text("1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "arrears_phone_en.png"), full_page=True)
        page.click(".kefu-arrears-row a")
        expect(page.locator("#id_unit_code")).to_have_value("CH-1-1203")
        page.wait_for_selector(f"#id_requester option[value='{owner.pk}']", state="attached")
        page.select_option("#id_requester", str(owner.pk))
        page.fill("#id_items", "Sofa")
        page.fill("#id_moving_date", timezone.localdate().isoformat())
        page.click("#submit-pass")
        expect(page.locator(".kefu-error")).to_contain_text("unpaid fees past due")
        browser.close()

    assert not ReleasePass.objects.exists()


def test_desk_registers_a_visitor_and_hands_over_a_parcel_on_a_phone(live_server, cast, org):
    from datetime import timedelta

    from playwright.sync_api import expect, sync_playwright

    from kefu.frontdesk.models import Parcel, VisitorPass

    estate = make_estate(org)
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    session = _session_cookie(cast["agent"])
    until = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    base = live_server.url

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, **PHONE)
        page.goto(f"{base}/frontdesk/visitors/")
        expect(page.locator("h1")).to_have_text("访客与施工人员")
        page.click("#register-new summary")
        page.fill("#id_name", "王五")
        page.fill("#id_phone", "13800138000")
        page.fill("#id_purpose", "探亲")
        page.fill("#id_valid_until", until)
        page.click("#register-submit")
        page.wait_for_selector(".alert-success")
        expect(page.locator(".kefu-register-row .kefu-row-status")).to_have_text("预约")
        page.click("button[data-action=arrive]")
        expect(page.locator(".kefu-register-row .kefu-row-status")).to_have_text("在场")
        page.click("button[data-action=depart]")
        expect(page.locator(".kefu-register-row .kefu-row-status")).to_have_text("已离开")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.click("#tab-parcels")
        page.click("#register-new summary")
        page.fill("#id_unit_code", "CH-1-1203")
        page.wait_for_selector(f"#id_requester option[value='{owner.pk}']", state="attached")
        page.select_option("#id_requester", str(owner.pk))
        page.fill("#id_carrier", "顺丰")
        page.click("#register-submit")
        page.wait_for_selector(".alert-success")
        # the occupant got the code by SMS; the ORM may not run in Playwright's event loop: another thread
        with ThreadPoolExecutor(1) as pool:
            code = pool.submit(lambda: Parcel.objects.get().pickup_code).result()
        page.fill("input[name=pickup_code]", code)
        page.click("button[data-action=collect]")
        expect(page.locator(".kefu-register-row .kefu-row-status")).to_have_text("已领取")
        page.screenshot(path=str(ARTIFACTS / "parcels_phone_zh.png"), full_page=True)
        browser.close()

    assert VisitorPass.objects.get().status == "departed"
    assert (Parcel.objects.get().status, Parcel.objects.get().signed_by) == ("collected", "张三")
