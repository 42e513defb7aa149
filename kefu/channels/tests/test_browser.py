"""A real browser (Debian's Chromium through Playwright): the screen pop shows the ringing caller
on the agent's page within 3 s of the CTI event; the conversation page converts a call into a
work order on a phone (Chinese) and on a desktop (English)."""

import json
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client

from kefu.channels.cti import sign
from kefu.channels.models import Conversation
from kefu.channels.tests.factories import CTI_SECRET, call_event, make_account
from kefu.customers.tests.factories import make_customer
from kefu.org.models import Staff
from kefu.workorders.models import Category, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 5000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(browser, live_server, cookie: str, **context_args):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
                                  **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                          "url": live_server.url}])
    return context.new_page()


def _ring(live_server, account, **kwargs):
    body = json.dumps(call_event("ringing", **kwargs)).encode()
    ts = str(int(time.time()))
    response = requests.post(f"{live_server.url}/channels/cti/{account.pk}/events/", data=body, timeout=10,
                             headers={"Content-Type": "application/json", "X-Kefu-Timestamp": ts,
                                      "X-Kefu-Signature": sign(CTI_SECRET, ts, body)})
    assert response.status_code == 200, response.text


def test_screen_pop_within_3_seconds_and_convert_on_a_phone(live_server, cast, org):
    from playwright.sync_api import sync_playwright

    line = make_account(department=org["cs"], name="400热线", config={"extensions": {"8001": "agent"}})
    make_customer(name="王芳", phones=["13800138000"])
    category = next(c for c in Category.objects.filter(is_active=True) if c.allows_type("inquiry"))
    cookie = _session_cookie(cast["agent"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _page(browser, live_server, cookie, **PHONE)
            page.goto(f"{live_server.url}/work-orders/")
            page.wait_for_selector("#screen-pop-slot", state="attached")
            assert page.locator("#screen-pop").count() == 0
            rang = time.monotonic()
            _ring(live_server, line, agent="8001")
            page.wait_for_selector("#screen-pop-caller", timeout=3000)
            latency = time.monotonic() - rang
            assert page.locator("#screen-pop-caller").inner_text() == "13800138000"
            assert page.locator("#screen-pop-customer").inner_text() == "王芳"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=str(ARTIFACTS / "channels-screen-pop-phone.png"))
            page.click("#screen-pop-intake")
            page.wait_for_selector("#convert-form")
            assert page.locator("#id_convert_title").input_value() == "13800138000 来电"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.select_option("#id_convert_category", str(category.pk))
            page.fill("#id_convert_title", "咨询物业费")
            page.screenshot(path=str(ARTIFACTS / "channels-convert-phone.png"), full_page=True)
            page.click("#convert-submit")
            page.wait_for_url("**/work-orders/*/")
        finally:
            browser.close()
    order = WorkOrder.objects.get()
    assert (order.title, order.channel, order.customer.name) == ("咨询物业费", "hotline_400", "王芳")
    assert Conversation.objects.get().status == "converted"
    print(f"screen pop latency {latency:.2f} s")  # noqa: T201  (docs/performance.md)


def test_inbox_and_conversation_in_english_on_desktop(live_server, cast, org):
    from playwright.sync_api import sync_playwright

    line = make_account(department=org["cs"], name="400 line")
    Staff.objects.filter(user=cast["supervisor"]).update(language="en")
    _ring(live_server, line, caller="13900139000")
    cookie = _session_cookie(cast["supervisor"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _page(browser, live_server, cookie, viewport={"width": 1366, "height": 900})
            page.goto(f"{live_server.url}/channels/")
            assert page.locator("h1").inner_text() == "Inbound"
            page.click("#inbox-list a")
            page.wait_for_selector("#convert-form")
            assert page.locator("#conversation-from").inner_text() == "13900139000"
            assert page.locator("#conversation-customer").inner_text() == "Unknown sender"
            page.screenshot(path=str(ARTIFACTS / "channels-conversation-desktop-en.png"), full_page=True)
            page.click("#close-form button")
            page.wait_for_url("**/channels/")
        finally:
            browser.close()
    assert Conversation.objects.get().status == "closed"
