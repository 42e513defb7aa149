"""A real browser (Debian's Chromium through Playwright): a customer rates on a phone, and an
agent records an on-site callback with a signature drawn on the canvas.

ORM set-up and assertions happen outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py). Screenshots go to test-artifacts/ (ignored by git).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackAttempt, RatingLink
from kefu.callbacks.tests.factories import callback_of, make_resolved
from kefu.customers.tests.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 5000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

if not Path(CHROMIUM).exists():  # never download a browser: skip where Debian's is missing
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _context(browser, **context_args):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
                                  **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_customer_rates_on_a_phone(live_server, cast):
    from playwright.sync_api import sync_playwright

    customer = make_customer(name="赵六", phones=["13700137000"])
    order = make_resolved(actor=cast["agent"], type="repair", customer=customer)
    Callback.objects.filter(work_order=order).update(status="completed")
    _link, token = services.rating_link_issue(order=order)
    url = f"{live_server.url}/callbacks/rate/{token}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _context(browser, **PHONE).new_page()
            page.goto(url)
            page.wait_for_selector("#rating-form")
            assert page.locator("h1").inner_text() == "您对我们的服务满意吗？"
            # Nothing sticks out sideways on a phone.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.click("label[for=speed-4]")
            page.click("label[for=attitude-2]")
            page.click("label[for=quality-5]")
            page.fill("#id_comment", "师傅态度一般")
            page.screenshot(path=str(ARTIFACTS / "callbacks-rating-phone.png"), full_page=True)
            page.click("#rating-submit")
            page.wait_for_selector("#rating-thanks")
            page.goto(url)
            page.wait_for_selector("#rating-closed[data-state=used]")
        finally:
            browser.close()
    link = RatingLink.objects.get(work_order=order, used_at__isnull=False)
    assert (link.speed, link.attitude, link.quality, link.comment) == (4, 2, 5, "师傅态度一般")
    assert callback_of(order).source == "rating"


def test_agent_records_an_on_site_callback_with_a_drawn_signature(live_server, cast, settings, tmp_path):
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = tmp_path
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    Callback.objects.filter(pk=callback.pk).update(on_site_required=True)
    session = _session_cookie(cast["agent"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = _context(browser, viewport={"width": 390, "height": 844}, has_touch=True)
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
            page = context.new_page()
            page.goto(f"{live_server.url}/callbacks/?queue=mine")
            page.screenshot(path=str(ARTIFACTS / "callbacks-queue-phone.png"), full_page=True)
            page.click(f".kefu-callback[data-callback='{callback.pk}']")
            page.wait_for_selector("#attempt-form")
            assert page.is_checked("#id_method_1")  # on site, preselected for an on-site callback
            assert page.is_visible("#signature-pad")
            page.check("#id_reached_0")
            page.select_option("#id_outcome", "satisfied")
            page.check("#id_solved_0")
            page.fill("#id_comment", "上门回访，客户签字确认")
            page.locator("#signature-pad").scroll_into_view_if_needed()
            box = page.locator("#signature-pad").bounding_box()
            page.mouse.move(box["x"] + 20, box["y"] + 30)
            page.mouse.down()
            for i in range(1, 12):
                page.mouse.move(box["x"] + 20 + i * 25, box["y"] + 30 + (i % 3) * 30)
            page.mouse.up()
            page.screenshot(path=str(ARTIFACTS / "callbacks-on-site-signature.png"), full_page=True)
            page.click("#attempt-submit")
            page.wait_for_selector(".kefu-callback-status[data-status=completed]")
            # The stored PNG is served back (through the visibility-checked view) and decodes.
            page.wait_for_function("(() => { const i = document.querySelector('img.kefu-signature');"
                                   " return i && i.complete && i.naturalWidth > 0; })()")
            loaded = page.evaluate("document.querySelector('img.kefu-signature').naturalWidth")
        finally:
            browser.close()
    assert loaded == 600
    callback.refresh_from_db()
    assert (callback.status, callback.outcome, callback.solved) == ("completed", "satisfied", True)
    attempt = CallbackAttempt.objects.get(callback=callback)
    assert (attempt.method, attempt.reached, attempt.comment) == ("on_site", True, "上门回访，客户签字确认")
    with attempt.signature.open("rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 600
