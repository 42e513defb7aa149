"""A real browser (Debian's Chromium through Playwright): a customer rates on a phone, an agent
records an on-site callback with a signature drawn on the canvas, and a supervisor reads the
callbacks panel of a work order (Chinese, English, phone width).

ORM set-up and assertions happen outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py). Screenshots go to test-artifacts/ (ignored by git).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackAttempt, RatingLink
from kefu.callbacks.tests.factories import callback_of, make_resolved, resolve
from kefu.core.templatetags.kefu import local
from kefu.customers.tests.factories import make_customer
from kefu.org.models import Staff
from kefu.workorders.models import WorkOrder

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
    from playwright.sync_api import expect, sync_playwright

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
            # signature.js unhides the pad once it runs (after the form is in the page): wait for it
            page.wait_for_selector("#signature-pad", state="visible", timeout=5000)
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
            # (a property check, not a string evaluated in the page: the CSP forbids eval)
            expect(page.locator("img.kefu-signature")).to_have_js_property("complete", True)
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


def _panel_texts(page) -> dict:
    """What the callbacks panel says, row by row (newest callback first, then the ratings)."""
    rows = []
    for row in page.locator("#order-follow-up .kefu-order-callback").all():
        outcome = row.locator(".kefu-callback-outcome")
        rows.append({
            "id": int(row.get_attribute("data-callback")),
            "link": row.locator(".kefu-callback-link").inner_text(),
            "status": row.locator(".kefu-callback-status").inner_text(),
            "due": row.locator(".kefu-callback-due").inner_text().strip(),
            "overdue": row.locator(".kefu-overdue").count() == 1,
            "outcome": outcome.inner_text() if outcome.count() else None,
            "attempts": row.locator(".kefu-order-attempt").all_inner_texts(),
            "reopen_requested": row.locator(".kefu-reopen-requested").count() == 1,
        })
    return {"header": page.locator("#order-follow-up .card-header").inner_text().strip(), "callbacks": rows,
            "ratings": page.locator("#order-follow-up .kefu-rating-stars").all_inner_texts()}


def test_supervisor_reads_the_callbacks_panel_of_a_work_order(live_server, cast):
    """The loop after the fix as a supervisor sees it on the order: a callback that found the
    customer dissatisfied (two attempts; the order was reopened), the new callback owed after the
    second resolution (overdue), and the customer's rating — in Chinese, in English, on a phone."""
    from playwright.sync_api import sync_playwright

    customer = make_customer(name="孙八", phones=["13500135000"])
    order = make_resolved(actor=cast["agent"], customer=customer)
    first = callback_of(order)
    services.callback_attempt_record(callback=first, actor_user=cast["agent"], method="phone", reached=False)
    services.callback_attempt_record(callback=first, actor_user=cast["agent"], method="phone", reached=True,
                                     outcome="dissatisfied", solved=False, comment="楼下仍在渗水")
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.reopen_count) == ("accepted", 1)
    order = resolve(order, cast["agent"])
    second = callback_of(order)
    Callback.objects.filter(pk=second.pk).update(due_at=timezone.now() - timedelta(hours=2))
    _link, token = services.rating_link_issue(order=order)
    services.rating_submit(token=token, speed=5, attitude=4, quality=3, comment="处理及时")
    first, second = Callback.objects.get(pk=first.pk), Callback.objects.get(pk=second.pk)
    tried = [local(a.attempted_at, "m-d H:i") for a in first.attempts.order_by("attempted_at", "id")]
    agent = cast["agent"].staff.display_name
    Staff.objects.filter(user=cast["manager"]).update(language="en")
    supervisor, manager = _session_cookie(cast["supervisor"]), _session_cookie(cast["manager"])
    url = f"{live_server.url}/work-orders/{order.pk}/"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = _context(browser, viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("#order-follow-up")
            zh = _panel_texts(page)
            zh_lines = page.locator("#order-follow-up .kefu-order-callback > div.text-body-secondary").all_inner_texts()
            page.screenshot(path=str(ARTIFACTS / "callbacks-order-panel.png"), full_page=True)
            # The link opens the callback with its attempts.
            page.click(f"#order-follow-up [data-callback='{first.pk}'] .kefu-callback-link")
            page.wait_for_url(f"**/callbacks/{first.pk}/")
            heading = page.locator("h1").inner_text()
            opened = page.locator("#attempts .kefu-attempt").count()

            english = _context(browser, viewport={"width": 1280, "height": 900})
            english.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": manager, "url": live_server.url}])
            page = english.new_page()
            page.goto(url)
            page.wait_for_selector("#order-follow-up")
            en = _panel_texts(page)

            phone = _context(browser, **PHONE)
            phone.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
            page = phone.new_page()
            page.goto(url)
            page.locator("#order-follow-up").scroll_into_view_if_needed()
            phone_visible = page.is_visible(f"#order-follow-up [data-callback='{second.pk}'] .kefu-callback-link")
            panel_box = page.locator("#order-follow-up").bounding_box()
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=str(ARTIFACTS / "callbacks-order-panel-phone.png"), full_page=True)
        finally:
            browser.close()

    due_first, due_second = local(first.due_at), local(second.due_at)
    assert zh == {
        "header": "回访",
        "callbacks": [
            {"id": second.pk, "link": f"#{second.pk} 工单办结", "status": "待回访", "due": f"已超时 · 到期 {due_second}",
             "overdue": True, "outcome": None, "attempts": [], "reopen_requested": False},
            {"id": first.pk, "link": f"#{first.pk} 工单办结", "status": "已完成",
             "due": f"到期 {due_first} · 结束于 {local(first.completed_at)}", "overdue": False,
             "outcome": "不满意 · 未解决", "attempts": [f"电话 · {tried[0]} · 未联系上", f"电话 · {tried[1]} · 不满意"],
             "reopen_requested": False},
        ],
        "ratings": ["速度 5 · 态度 4 · 质量 3"],
    }
    assert zh_lines == [f"已尝试 0/3 次 · {agent}", f"到期 {due_first} · 结束于 {local(first.completed_at)}",
                        f"已尝试 2/3 次 · {agent}", "楼下仍在渗水"]
    assert (heading, opened) == (f"回访 #{first.pk}", 2)
    assert en["header"] == "Callbacks"
    assert [(c["status"], c["due"], c["outcome"], c["attempts"]) for c in en["callbacks"]] == [
        ("Open", f"Overdue · Due {due_second}", None, []),
        ("Completed", f"Due {due_first} · Ended {local(first.completed_at)}", "Dissatisfied · not solved",
         [f"Phone · {tried[0]} · not reached", f"Phone · {tried[1]} · Dissatisfied"]),
    ]
    assert en["ratings"] == ["speed 5 · attitude 4 · quality 3"]
    assert phone_visible and fits
    assert 0 <= panel_box["x"] and panel_box["x"] + panel_box["width"] <= 390
