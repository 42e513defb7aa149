"""The order page's "messages to the customer" panel in real Chromium: Chinese on a desktop, English
at phone width; each message with its status, a suppressed one with its reason, and the log-only
channels said to be log only.

ORM set-up and assertions stay outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py for why).
"""

import pytest

from kefu.customers.tests.factories import make_customer
from kefu.notifications.models import CustomerMessageOptOut, OutboundMessage
from kefu.workorders.tests.factories import advance, make_work_order
from kefu.workorders.tests.test_browser import ARTIFACTS, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _order_with_messages(cast, org):
    from django.utils import timezone

    customer = make_customer(name="李四", phones=["13800138000"])
    order = make_work_order(actor=cast["agent"], type="repair", customer=customer, contact_phone="13800138000")
    CustomerMessageOptOut.objects.create(customer=customer, kind="dispatched", created_at=timezone.now())
    advance(order, cast["agent"], ("dispatch", {"team": org["mep"], "assignee": cast["technician"]}))
    assert list(OutboundMessage.objects.filter(work_order=order).order_by("id").values_list("kind", "state")) == [
        ("acknowledgement", "logged"), ("dispatched", "suppressed")]
    return order


def test_order_page_lists_the_messages_in_chinese_on_a_desktop(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    order = _order_with_messages(cast, org)
    session = _session_cookie(cast["qa"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/work-orders/{order.pk}/")
        panel = page.locator("#order-messages")
        expect(panel).to_contain_text("发给客户的消息")
        rows = panel.locator(".kefu-order-message")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_have_attribute("data-status", "logged")
        expect(rows.nth(0)).to_contain_text("受理确认 · 短信 138****8000")
        expect(rows.nth(0)).to_contain_text(f"工单号 {order.number}")
        expect(rows.nth(0).locator(".kefu-message-status")).to_have_text("仅记录")
        expect(rows.nth(1).locator(".kefu-message-status")).to_have_text("未发送")
        expect(rows.nth(1).locator(".kefu-message-reason")).to_have_text("客户已退订此类消息。")
        expect(panel.locator(".kefu-log-only")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "order_messages_zh.png"), full_page=True)
        browser.close()


def test_order_page_lists_the_messages_in_english_at_phone_width(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    order = _order_with_messages(cast, org)
    user = cast["agent"]
    user.staff.language = "en"
    user.staff.save()
    session = _session_cookie(user)
    base = live_server.url
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, **PHONE)
        page.goto(f"{base}/work-orders/{order.pk}/")
        panel = page.locator("#order-messages")
        expect(panel).to_contain_text("Messages to the customer")
        rows = panel.locator(".kefu-order-message")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Acknowledgement (order taken) · SMS 13800138000")
        expect(rows.nth(1).locator(".kefu-message-reason")).to_have_text("The customer opted out of this kind of message.")
        # nothing sticks out of a phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "order_messages_en_phone.png"), full_page=True)
        browser.close()
