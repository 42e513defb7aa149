"""Real Chromium: the navbar drawn from kefu.workspace.navigation — on a phone (390 px) behind the
toggler, on a desktop with the "Customer data" dropdown, in Chinese and in English."""

from pathlib import Path

import pytest

from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def test_the_navbar_on_a_phone_and_on_a_desktop_in_both_languages(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    admin = _session_cookie(cast["administrator"])
    vendor = _session_cookie(cast["vendor"])
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        phone = _page_as(browser, base, admin, viewport={"width": 390, "height": 844})
        phone.goto(f"{base}/customers/")
        expect(phone.locator("#nav-customers")).to_be_hidden()  # collapsed behind the toggler
        phone.click(".navbar-toggler")
        expect(phone.locator("#nav-customers")).to_be_visible()
        expect(phone.locator("#nav-customers")).to_have_text("客户")
        expect(phone.locator("#nav-customers")).to_have_class("nav-link active")
        phone.click("#nav-data")
        expect(phone.locator("#nav-import")).to_be_visible()
        phone.click("#nav-duplicates")
        phone.wait_for_url(f"{base}/exchange/duplicates/")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.screenshot(path=str(ARTIFACTS / "navbar_390_zh.png"))

        desktop = _page_as(browser, base, vendor, viewport={"width": 1280, "height": 800})
        desktop.goto(f"{base}/work-orders/")
        expect(desktop.locator("#nav-queue")).to_be_visible()
        expect(desktop.locator("#nav-queue")).to_have_class("nav-link active")
        expect(desktop.locator("#nav-intake")).to_have_count(0)  # vendors log no orders
        expect(desktop.locator("#nav-data")).to_have_count(0)
        desktop.click(".kefu-navbar .dropdown-toggle:has(.bi-translate)")
        desktop.click("button[name=language][value=en]")
        expect(desktop.locator("#nav-queue")).to_have_text("Queues")
        expect(desktop.locator("#nav-customers")).to_have_text("Customers")
        desktop.screenshot(path=str(ARTIFACTS / "navbar_desktop_en.png"))
        browser.close()
