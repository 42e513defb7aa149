"""A real browser (Debian's Chromium through Playwright) drives the agent UI, in Chinese.

ORM set-up and assertions happen outside the `sync_playwright()` block: Playwright runs an event
loop in this thread, and Django refuses database access from inside one. Screenshots go to
test-artifacts/ (ignored by git).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kefu.customers.tests.factories import make_asset, make_customer
from kefu.org.tests.factories import PASSWORD
from kefu.workorders.choices import PlanStatus, Status
from kefu.workorders.models import WorkOrder
from kefu.workorders.tests.factories import category_for, make_work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 5000

if not Path(CHROMIUM).exists():  # never download a browser: skip where Debian's is missing
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _session_cookie(user) -> str:
    """A signed-in session made with the ORM (before the browser starts): a faster login."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _context(browser, **context_args):
    # Reduced motion: Bootstrap then skips its fade transitions, which keeps the test fast.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce",
                                  **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _login(browser, base, username, **context_args):
    """Sign in through the login page."""
    page = _context(browser, **context_args).new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".kefu-navbar")
    return page


def _page_as(browser, base, session: str, **context_args):
    context = _context(browser, **context_args)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context.new_page()


def _act(page, action, fill=None, select=None):
    """Open the action's dialog, fill it, submit, and wait for the page to show the new event."""
    page.click(f"button[data-action={action}]")
    form = f"#form-{action}"
    page.wait_for_selector(f"{form} button[type=submit]", state="visible")
    for selector, value in (select or {}).items():
        page.select_option(f"{form} {selector}", value)
    for selector, value in (fill or {}).items():
        page.fill(f"{form} {selector}", value)
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f".kefu-event[data-action={action}]")


def test_intake_to_closure_in_chinese(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    # given a customer on file with the number the caller rings from
    asset = make_asset(code="CH-1-1203")
    make_customer(name="张三", phones=["138-0013-8000"], assets=[asset])
    category = category_for("complaint")
    team_id, technician_id = org["mep"].pk, cast["technician"].pk
    sessions = {name: _session_cookie(cast[name]) for name in ("manager", "technician")}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        agent = _login(browser, base, "agent")
        expect(agent.locator("html")).to_have_attribute("lang", "zh-hans")

        # intake, keyboard first: the lookup has the focus
        agent.goto(f"{base}/work-orders/new/")
        expect(agent.locator("#customer-q")).to_be_focused()
        agent.keyboard.type("138 0013 8000")
        agent.wait_for_selector(".kefu-customer-result")
        agent.keyboard.press("Enter")  # picks the first match
        expect(agent.locator(".kefu-chosen-customer")).to_contain_text("张三")
        expect(agent.locator("#id_contact_phone")).to_have_value("13800138000")
        expect(agent.locator("#id_asset")).to_have_value(str(asset.pk))
        agent.select_option("#id_type", "complaint")
        expect(agent.locator("#complaint-level-wrap")).to_be_visible()
        agent.select_option("#id_complaint_level", "2")
        agent.select_option("#id_category", str(category.pk))
        agent.fill("#id_title", "楼上装修噪音")
        agent.fill("#id_description", "每晚十一点后仍在装修，影响休息。")
        agent.keyboard.press("Control+Enter")
        confirm = agent.locator("#confirm-save")
        expect(confirm).to_be_focused()
        expect(agent.locator("#readback-text")).to_contain_text("张三")
        expect(agent.locator("#readback-text")).to_contain_text("CH-1-1203")
        agent.screenshot(path=str(ARTIFACTS / "intake_zh.png"), full_page=True)
        agent.keyboard.press("Enter")  # one keystroke saves
        agent.wait_for_selector(".alert-success")
        number = agent.locator(".kefu-number").inner_text()
        expect(agent.locator(".alert-success")).to_contain_text(number)

        # dispatch to the repair team (assignees load for the chosen team)
        agent.click("button[data-action=dispatch]")
        agent.select_option("#dispatch-team", str(team_id))
        agent.wait_for_selector(f"#dispatch-assignee option[value='{technician_id}']", state="attached")
        agent.select_option("#dispatch-assignee", str(technician_id))
        agent.click("#form-dispatch button[type=submit]")
        agent.wait_for_selector(".kefu-event[data-action=dispatch]")

        # a level-2 complaint needs an approved plan: the agent submits it, the manager approves
        _act(agent, "submit_plan", fill={"textarea[name=plan]": "上门致歉，协调装修时间", "input[name=compensation_amount]": "200"})
        manager = _page_as(browser, base, sessions["manager"])
        manager.goto(agent.url)
        _act(manager, "approve_plan", fill={"textarea[name=note]": "同意"})

        # the technician starts and resolves; the agent (first-contact owner) closes
        technician = _page_as(browser, base, sessions["technician"])
        technician.goto(agent.url)
        technician.click("button[data-action=start]")  # one tap, no dialog
        technician.wait_for_selector(".kefu-event[data-action=start]")
        technician.click("a[data-action=resolve]")  # the resolve form is a page of its own
        technician.fill("#id_resolve_resolution", "已与装修方沟通，晚上十点后停工")
        technician.click("#resolve-submit")
        technician.wait_for_selector(".kefu-event[data-action=resolve]")
        agent.reload()
        _act(agent, "close")
        agent.screenshot(path=str(ARTIFACTS / "order_closed_zh.png"), full_page=True)
        browser.close()

    order = WorkOrder.objects.get(number=number)
    assert (order.type, order.complaint_level, order.customer.name, order.asset) == ("complaint", 2, "张三", asset)
    assert (order.status, order.plan_status) == (Status.CLOSED, PlanStatus.APPROVED)
    assert (order.team_id, order.assignee_id) == (team_id, technician_id)
    assert list(order.events.order_by("id").values_list("action", flat=True)) == [
        "create", "dispatch", "submit_plan", "approve_plan", "start", "resolve", "close"]


def test_queue_on_a_phone(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    for i in range(3):
        make_work_order(actor=cast["agent"], title=f"电梯故障{i}")
    session = _session_cookie(cast["agent"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session, viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True)
        page.goto(f"{base}/work-orders/")
        expect(page.locator(".navbar-toggler")).to_be_visible()
        expect(page.locator("#kefu-nav")).to_be_hidden()
        expect(page.locator(".kefu-queue-table tbody tr")).to_have_count(3)
        page.screenshot(path=str(ARTIFACTS / "queue_phone.png"), full_page=True)
        page.click(".navbar-toggler")
        expect(page.locator("#kefu-nav")).to_be_visible()
        # filters update the table in place (htmx) and the URL follows
        page.fill("#id_search", "电梯故障1")
        expect(page.locator(".kefu-queue-table tbody tr")).to_have_count(1)
        assert "search=" in page.url
        browser.close()
