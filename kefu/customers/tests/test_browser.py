"""Real Chromium: an agent's phone lookup during intake lands on the customer 360 page; a steward
uploads a missing archive document and the completeness changes. ORM work happens outside the
`sync_playwright()` block (Django refuses database access inside its event loop)."""

from pathlib import Path

import pytest

from kefu.customers.models import ArchiveDocument
from kefu.customers.tests.factories import (
    VALID_RESIDENT_ID,
    make_asset,
    make_building,
    make_customer,
    make_site,
)
from kefu.workorders.tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    _browser,
    _login,
    _page_as,
    _session_cookie,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_phone_lookup_during_intake_lands_on_the_360_page(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    unit = make_asset(code="3-2-1201", unit_status="occupied")
    customer = make_customer(name="张三", phones=["138-0013-8000"], assets=[unit], id_type="resident_id",
                             id_number=VALID_RESIDENT_ID, tags=["VIP"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        agent = _login(browser, base, "agent")
        agent.goto(f"{base}/work-orders/new/")
        expect(agent.locator("#customer-q")).to_be_focused()
        agent.keyboard.type("138 0013 8000")
        agent.wait_for_selector(".kefu-customer-result")
        agent.keyboard.press("Enter")
        expect(agent.locator(".kefu-chosen-customer")).to_contain_text("张三")
        with agent.context.expect_page() as opened:
            agent.click("#open-customer-360")
        page = opened.value
        page.wait_for_load_state()
        expect(page.locator(".kefu-customer-360")).to_have_attribute("data-customer-id", str(customer.pk))
        expect(page.locator("#customer-name")).to_have_text("张三")
        expect(page.locator("#units-title")).to_have_text("房屋与资产")
        expect(page.locator(".kefu-units")).to_contain_text("3-2-1201")
        expect(page.locator("#customer-id-number")).to_contain_text(VALID_RESIDENT_ID)
        page.screenshot(path=str(ARTIFACTS / "customer_360_zh.png"), full_page=True)
        # phone width: the page reflows to one column without horizontal scrolling
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        # the customer list finds the same caller by the unit spelled the Chinese way
        page.goto(f"{base}/customers/")
        page.fill("#customer-search", "3栋2单元1201")
        page.keyboard.press("Enter")
        expect(page.locator(".kefu-customer-row")).to_have_count(1)
        page.click(".kefu-customer-row")
        expect(page.locator("#customer-name")).to_have_text("张三")
        browser.close()


def test_steward_uploads_a_missing_document_and_completeness_rises(live_server, cast, org, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    unit = make_asset(code="3-2-1201", building=make_building(site=site, code="3", name="3栋"))
    make_customer(name="张三", phones=["13800138000"], assets=[unit])
    scan = tmp_path / "户型图.png"
    scan.write_bytes(PNG)
    session = _session_cookie(cast["steward"])
    base = live_server.url
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, session)
        page.goto(f"{base}/customers/archives/missing/")
        expect(page.locator(".kefu-missing-row[data-unit='3-2-1201']")).to_contain_text("户型图")
        page.click(".kefu-missing-row[data-unit='3-2-1201'] a")
        expect(page.locator(".kefu-completeness")).to_have_attribute("data-percent", "0")
        row = page.locator(".kefu-archive-row[data-document-type='floor_plan']")
        expect(row).to_have_attribute("data-status", "missing")
        row.locator("input[type=file]").set_input_files(str(scan))
        row.locator("button[type=submit]").click()
        page.wait_for_selector(".alert-success")
        expect(page.locator(".kefu-completeness")).to_have_attribute("data-percent", "17")
        expect(page.locator(".kefu-archive-row[data-document-type='floor_plan']")).to_have_attribute(
            "data-status", "present")
        expect(page.locator(".kefu-archive-row[data-document-type='floor_plan']")).to_contain_text("户型图.png")
        page.screenshot(path=str(ARTIFACTS / "unit_archive_zh.png"), full_page=True)
        for path in ("/customers/archives/missing/", page.url):
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(path if path.startswith("http") else f"{base}{path}")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        browser.close()
    assert ArchiveDocument.objects.get().document_type.code == "floor_plan"


def test_steward_filters_the_unit_list_and_opens_a_unit_and_its_occupant(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.services import staff_set_language

    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    b3 = make_building(site=site, code="3", name="3栋")
    b5 = make_building(site=site, code="5", name="5栋")
    occupied = make_asset(code="CH-3-2-1201", building=b3, unit_status="occupied", use="residential", area="89.50")
    make_asset(code="CH-3-2-1202", building=b3, unit_status="vacant", use="residential")
    make_asset(code="CH-5-1-101", building=b5, unit_status="for_rent", use="commercial")
    make_asset(code="HY-1-101", site=make_site(code="HY", department=org["other"]), unit_status="occupied")
    make_customer(name="张三", phones=["13800138000"], assets=[occupied])
    staff_set_language(staff=cast["clerk"].staff, language="en")
    sessions = {name: _session_cookie(cast[name]) for name in ("steward", "clerk")}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, sessions["steward"])
        page.goto(f"{base}/customers/")
        page.click("#units-link")
        expect(page.locator("h1")).to_have_text("房屋")
        expect(page.locator(".kefu-unit-row")).to_have_count(3)  # not the other company's HY-1-101
        page.select_option("#id_status", "occupied")
        expect(page.locator(".kefu-unit-row")).to_have_count(1)
        row = page.locator(".kefu-unit-row[data-unit='CH-3-2-1201']")
        expect(row.locator(".kefu-unit-status")).to_have_text("已入住")
        expect(row.locator(".kefu-occupants")).to_contain_text("张三")
        expect(row.locator(".kefu-occupant-phone")).to_have_text("13800138000")
        page.select_option("#id_status", "")
        page.fill("#unit-search", "3栋2单元1202")
        page.keyboard.press("Enter")
        expect(page.locator(".kefu-unit-row")).to_have_count(1)
        expect(page.locator(".kefu-unit-row")).to_have_attribute("data-unit", "CH-3-2-1202")
        page.fill("#unit-search", "")
        page.select_option("#id_occupied", "true")
        expect(page.locator(".kefu-unit-row")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "unit_list_zh.png"), full_page=True)
        page.click(".kefu-unit-row[data-unit='CH-3-2-1201'] .kefu-unit-link")
        expect(page.locator("#unit-code")).to_have_text("CH-3-2-1201")
        page.go_back()
        page.click(".kefu-unit-row[data-unit='CH-3-2-1201'] .kefu-occupant")
        expect(page.locator("#customer-name")).to_have_text("张三")

        # English, phone width: no horizontal scrolling, phones masked for a clerk
        clerk = _page_as(browser, base, sessions["clerk"], viewport={"width": 390, "height": 844}, is_mobile=True,
                         has_touch=True)
        clerk.goto(f"{base}/customers/units/?occupied=true")
        expect(clerk.locator("h1")).to_have_text("Units")
        expect(clerk.locator(".kefu-unit-row")).to_have_count(1)
        expect(clerk.locator(".kefu-occupant-phone")).to_have_text("138****8000")
        expect(clerk.locator("label[for=id_occupied]")).to_have_text("Occupants")
        assert clerk.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        clerk.screenshot(path=str(ARTIFACTS / "unit_list_en_phone.png"), full_page=True)
        clerk.goto(f"{base}/customers/units/?status=sold")
        expect(clerk.locator(".kefu-filter-errors [data-field=status]")).to_be_visible()
        assert clerk.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.close()


def test_supervisor_restores_a_deleted_customer(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.customers.services import customer_delete
    from kefu.org.services import staff_set_language

    site = make_site(code="CH", name="翠湖花园", department=org["company"])
    zhang = make_customer(name="张三", phones=["13800138000"], assets=[make_asset(site=site, code="CH-3-2-1201")])
    li = make_customer(name="李四", phones=["13900139000"], assets=[make_asset(site=site, code="CH-3-2-1202")])
    for customer in (zhang, li):
        customer_delete(customer=customer, actor_user=cast["supervisor"])
    staff_set_language(staff=cast["manager"].staff, language="en")
    sessions = {name: _session_cookie(cast[name]) for name in ("supervisor", "manager")}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, sessions["supervisor"])
        page.goto(f"{base}/customers/")
        expect(page.locator(".kefu-customer-row")).to_have_count(0)
        page.click("#deleted-customers-link")
        expect(page.locator("h1")).to_have_text("已删除的客户")
        expect(page.locator(".kefu-deleted-row")).to_have_count(2)
        row = page.locator(f".kefu-deleted-row[data-customer-id='{zhang.pk}']")
        expect(row).to_contain_text("13800138000")
        expect(row.locator(".kefu-days-left")).to_have_attribute("data-days-left", "1095")
        dialogs = []

        def accept(dialog):
            dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        row.locator("button.kefu-restore").click()
        expect(page.locator(".kefu-restored")).to_contain_text("张三 已恢复")
        assert dialogs == ["恢复 张三？该客户将重新出现在所有查询和列表中。"]
        expect(page.locator(".kefu-deleted-row")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "deleted_customers_zh.png"), full_page=True)
        page.click(".kefu-restored a")
        expect(page.locator("#customer-name")).to_have_text("张三")
        page.goto(f"{base}/customers/")
        expect(page.locator(".kefu-customer-row")).to_have_count(1)
        expect(page.locator(f".kefu-customer-row[data-customer-id='{zhang.pk}']")).to_contain_text("张三")

        # English, phone width: no horizontal scrolling; restore the other one there
        manager = _page_as(browser, base, sessions["manager"], viewport={"width": 390, "height": 844},
                           is_mobile=True, has_touch=True)
        manager.on("dialog", lambda dialog: dialog.accept())
        manager.goto(f"{base}/customers/deleted/")
        expect(manager.locator("h1")).to_have_text("Deleted customers")
        expect(manager.locator(".kefu-deleted-row")).to_have_count(1)
        expect(manager.locator(".kefu-restore")).to_contain_text("Restore")
        assert manager.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        manager.screenshot(path=str(ARTIFACTS / "deleted_customers_en_phone.png"), full_page=True)
        manager.locator(".kefu-restore").tap()
        expect(manager.locator(".kefu-restored")).to_contain_text("李四 is restored")
        expect(manager.locator(".kefu-no-deleted")).to_have_text("No deleted customers in your scope.")
        assert manager.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.close()
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert (zhang.deleted_at, li.deleted_at) == (None, None)
