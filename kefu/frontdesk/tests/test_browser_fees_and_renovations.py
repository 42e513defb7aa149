"""A real browser (Debian's Chromium) through the renovation permit from application to deposit
refund, a steward's dunning round with an SMS reminder (the log-only adapter) and a promise to
pay on a 390 px phone, and the bill import; Chinese and English."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from kefu.frontdesk.models import Bill, DunningTask, Renovation
from kefu.frontdesk.tests.factories import in_arrears, make_estate, make_unit
from kefu.notifications.models import OutboundMessage
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _english(user):
    user.staff.language = "en"
    user.staff.save(update_fields=["language"])


def _fits_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_renovation_from_application_to_deposit_refund(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    estate = make_estate(org)
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    _english(cast["clerk"])
    _english(cast["manager"])
    sessions = {name: _session_cookie(cast[name]) for name in ("steward", "clerk", "manager")}
    today = timezone.localdate()
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    status = ".kefu-register-row .kefu-row-status"

    with sync_playwright() as p:
        browser = _browser(p)
        steward = _page_as(browser, base, sessions["steward"])
        steward.goto(f"{base}/frontdesk/renovations/", timeout=30_000)  # the shared machine is slow on a first page
        expect(steward.locator("h1")).to_have_text("装修管理")
        steward.click("#register-new summary")
        steward.fill("#id_unit_code", "CH-1-1203")
        steward.wait_for_selector(f"#id_requester option[value='{owner.pk}']", state="attached")
        steward.select_option("#id_requester", str(owner.pk))
        steward.fill("#id_description", "厨卫改造")
        steward.fill("#id_contractor", "顺达装修")
        steward.fill("#id_starts_on", (today + timedelta(days=1)).isoformat())
        steward.fill("#id_ends_on", (today + timedelta(days=30)).isoformat())
        steward.click("#register-submit")
        steward.wait_for_selector(".alert-success")
        expect(steward.locator(status)).to_have_text("已申请")
        # one point not ticked: refused, nothing changes
        steward.check("input[name=structure]")
        steward.check("input[name=fire]")
        steward.click("button[data-action=review]")
        expect(steward.locator(".kefu-error")).to_be_visible()
        expect(steward.locator(status)).to_have_text("已申请")
        for name in ("structure", "fire", "waterproofing"):
            steward.check(f"input[name={name}]")
        steward.click("button[data-action=review]")
        expect(steward.locator(status)).to_have_text("图纸已审核，待交押金")

        clerk = _page_as(browser, base, sessions["clerk"], **PHONE)
        clerk.goto(f"{base}/frontdesk/renovations/", timeout=30_000)  # the shared machine is slow on a first page
        expect(clerk.locator("h1")).to_have_text("Renovations")
        clerk.fill("input[name=deposit]", "5000")
        clerk.fill("input[name=fee]", "300")
        clerk.click("button[data-action=pay]")
        expect(clerk.locator(status)).to_have_text("Permit issued, works on")
        _fits_phone(clerk)
        clerk.screenshot(path=str(ARTIFACTS / "renovation_permit_phone_en.png"), full_page=True)

        steward.reload()
        order = "form:has(button[data-action=order])"
        steward.fill(f"{order} input[name=finding]", "擅自拆改墙体")
        steward.fill(f"{order} input[name=rectify_by]", (today + timedelta(days=5)).isoformat())
        steward.fill(f"{order} input[name=penalty]", "800")
        steward.click("button[data-action=order]")
        expect(steward.locator(status)).to_have_text("已下整改通知")
        steward.click("button[data-action=rectified]")
        expect(steward.locator(status)).to_have_text("已发装修许可证，施工中")
        steward.click("button[data-action=accept]")
        expect(steward.locator(status)).to_have_text("已验收，待退押金")
        steward.screenshot(path=str(ARTIFACTS / "renovation_accepted_zh.png"), full_page=True)

        manager = _page_as(browser, base, sessions["manager"], **PHONE)
        manager.goto(f"{base}/frontdesk/renovations/", timeout=30_000)  # the shared machine is slow on a first page
        manager.click("button[data-action=refund]")
        expect(manager.locator(status)).to_have_text("Deposit refunded")
        expect(manager.locator(".kefu-refund")).to_have_text("4200.00")
        _fits_phone(manager)
        browser.close()

    renovation = Renovation.objects.get()
    assert (renovation.status, renovation.refund) == ("refunded", 4200)
    assert list(renovation.events.order_by("id").values_list("action", flat=True)) == [
        "create", "review", "pay", "order", "rectified", "accept", "refund"]


def test_a_stewards_dunning_round_with_an_sms_and_a_promise_then_an_import(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    estate = make_estate(org)
    unit, owner = make_unit(estate, "CH-1-1203", occupant="张三")
    in_arrears(cast["clerk"], estate, unit, amount="250.00", days_ago=20)
    _english(cast["clerk"])
    sessions = {name: _session_cookie(cast[name]) for name in ("steward", "clerk")}
    promised = (timezone.localdate() + timedelta(days=7)).isoformat()
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    book = Workbook()
    book.active.append(["unit", "item", "period", "amount", "due_date"])
    book.active.append(["CH-1-1203", "PARK", "2026-12", "300.00", "2026-12-31"])
    xlsx = BytesIO()
    book.save(xlsx)

    with sync_playwright() as p:
        browser = _browser(p)
        steward = _page_as(browser, base, sessions["steward"], **PHONE)
        steward.goto(f"{base}/frontdesk/fees/dunning/", timeout=30_000)  # the shared machine is slow on a first page
        expect(steward.locator("h1")).to_have_text("欠费催缴")
        steward.click("#register-new summary")
        steward.click("#register-submit")
        steward.wait_for_selector(".alert-success")
        expect(steward.locator(".kefu-register-row .kefu-row-status")).to_have_text("待催缴")
        steward.select_option("select[name=method]", "sms")
        steward.click("button[data-action=attempt]")
        expect(steward.locator(".kefu-attempts")).to_have_text("1")
        steward.fill("input[name=promise_date]", promised)
        steward.fill("input[name=promise_amount]", "250")
        steward.click("button[data-action=promise]")
        expect(steward.locator(".kefu-register-row .kefu-row-status")).to_have_text("已承诺缴费")
        expect(steward.locator(".kefu-promise")).to_contain_text(promised)
        _fits_phone(steward)
        steward.screenshot(path=str(ARTIFACTS / "dunning_phone_zh.png"), full_page=True)

        clerk = _page_as(browser, base, sessions["clerk"])
        clerk.goto(f"{base}/frontdesk/fees/arrears/", timeout=30_000)  # the shared machine is slow on a first page
        clerk.click("#fees-import")
        expect(clerk.locator("h1")).to_have_text("Import bills")
        clerk.set_input_files("#id_file", files=[{"name": "bills.xlsx", "buffer": xlsx.getvalue(), "mimeType":
                                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
        clerk.click("#import-submit")
        expect(clerk.locator("#import-result")).to_contain_text("1 new bills")
        browser.close()

    with ThreadPoolExecutor(1) as pool:  # not in Playwright's event loop
        task, message, bills = pool.submit(lambda: (DunningTask.objects.get(), OutboundMessage.objects.get(),
                                                    Bill.objects.filter(source="import").count())).result()
    assert (task.status, task.attempts, str(task.promise_amount)) == ("promised", 1, "250.00")
    assert (message.channel, message.to_address) == ("sms", owner.phones.get().number)
    assert bills == 1


def test_lending_an_umbrella_on_a_phone_and_the_violations_register_in_english(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    from kefu.frontdesk.models import ItemLoan, LendItem, Violation

    estate = make_estate(org)
    make_unit(estate, "CH-1-1203", occupant="张三")
    LendItem.objects.create(site=estate["site"], code="U-01", label="雨伞", kind="umbrella")
    _english(cast["steward"])
    sessions = {name: _session_cookie(cast[name]) for name in ("agent", "steward")}
    until = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        desk = _page_as(browser, base, sessions["agent"], **PHONE)
        desk.goto(f"{base}/frontdesk/lending/", timeout=30_000)  # the shared machine is slow on a first page
        expect(desk.locator("h1")).to_have_text("物品借用")
        desk.click("#register-new summary")
        desk.fill("#id_borrower", "张三")
        desk.fill("#id_unit_code", "CH-1-1203")
        desk.fill("#id_due_at", until)
        desk.click("#register-submit")
        desk.wait_for_selector(".alert-success")
        expect(desk.locator(".kefu-register-row .kefu-row-status")).to_have_text("借出中")
        _fits_phone(desk)
        desk.click("button[data-action=return]")
        expect(desk.locator(".kefu-register-row .kefu-row-status")).to_have_text("已归还")

        steward = _page_as(browser, base, sessions["steward"])
        steward.goto(f"{base}/frontdesk/violations/", timeout=30_000)  # the shared machine is slow on a first page
        expect(steward.locator("h1")).to_have_text("Violations")
        for text in ("Scratched the lift while moving", "Drilling at night"):
            steward.click("#register-new summary")
            steward.fill("#id_unit_code", "CH-1-1203")
            steward.fill("#id_description", text)
            steward.click("#register-submit")
            steward.wait_for_selector(".alert-success")
        expect(steward.locator(".kefu-repeat")).to_have_count(2)
        steward.locator("button[data-action=rectified]").first.click()
        expect(steward.locator(".kefu-row-status", has_text="Rectified")).to_have_count(1)
        steward.screenshot(path=str(ARTIFACTS / "violations_en.png"), full_page=True)
        browser.close()

    with ThreadPoolExecutor(1) as pool:
        loan, statuses = pool.submit(lambda: (ItemLoan.objects.get(), sorted(
            Violation.objects.values_list("status", flat=True)))).result()
    assert loan.status == "returned" and statuses == ["open", "rectified"]
