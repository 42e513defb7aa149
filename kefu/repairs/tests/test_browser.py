"""In a real browser (Debian's Chromium). On a 390 px phone, in Chinese, the technician starts the
repair record from the order's page, books the appointment, adds a part from the materials list,
makes it a paid repair and submits the quote; once the supervisor approves it, records the charge
and has the customer sign on the screen, then opens the printable 《维修工作单》. At desktop
width, in English, the supervisor finds the record in the list and in the pump's repair history."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from kefu.repairs.models import RepairRecord
from kefu.repairs.tests.factories import dispatched_repair, make_equipment, make_materials
from kefu.workorders.services import work_order_transition
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_technician_keeps_the_repair_record_on_a_phone_and_the_supervisor_finds_it(live_server, cast, org,
                                                                                   settings, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    settings.MEDIA_ROOT = tmp_path
    materials = make_materials()
    pump = make_equipment()
    order = dispatched_repair(cast, org)
    cast["supervisor"].staff.language = "en"
    cast["supervisor"].staff.save(update_fields=["language"])
    sessions = {name: _session_cookie(cast[name]) for name in ("technician", "supervisor")}
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, sessions["technician"], **PHONE)
        page.goto(f"{base}{reverse('workorders:detail', args=[order.pk])}")
        page.click("#start-repair-record")
        expect(page.locator("h1")).to_contain_text("维修记录")
        expect(page.locator("#record-status")).to_have_text("待签认")
        assert _fits(page)

        page.select_option("#id_update_equipment", str(pump.pk))
        page.fill("#id_update_appointment_start", "2026-12-09T09:00")
        page.fill("#id_update_appointment_end", "2026-12-09T11:00")
        page.fill("#id_update_labour_minutes", "45")
        page.check("#id_update_is_paid")
        page.fill("#id_update_labour_charge", "50")
        page.click("#save-update")
        expect(page.locator("#appointment")).to_have_text("2026-12-09 09:00 – 11:00")
        expect(page.locator("#is-paid")).to_have_text("是")

        page.select_option("#id_add_part_material", str(materials["valve"].pk))
        page.fill("#id_add_part_quantity", "2")
        page.click("#add-part-button")
        expect(page.locator("#parts-table tbody tr[data-part]")).to_have_count(1)
        expect(page.locator("#parts-total")).to_have_text("70.00")
        expect(page.locator("#record-total")).to_have_text("120.00")

        page.click("#submit-quote-button")
        expect(page.locator("#quote-amount")).to_have_text("120.00")
        expect(page.locator("#quote-state")).to_contain_text("待审批")
        expect(page.locator("#collect-button")).to_have_count(0)

        with ThreadPoolExecutor(1) as pool:  # the ORM outside Playwright's event loop
            pool.submit(work_order_transition, work_order=order.pk, action="approve_plan",
                        actor_user=cast["supervisor"]).result()
        page.reload()
        expect(page.locator("#quote-state")).to_contain_text("已批准")
        page.fill("#id_collect_amount", "120")
        page.select_option("#id_collect_payment_method", "wechat")
        page.click("#collect-button")
        expect(page.locator("#charge-collected")).to_contain_text("¥120.00 · 微信支付")

        page.locator("#signature-pad").scroll_into_view_if_needed()
        box = page.locator("#signature-pad").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 30)
        page.mouse.down()
        for i in range(1, 12):
            page.mouse.move(box["x"] + 20 + i * 25, box["y"] + 30 + (i % 3) * 30)
        page.mouse.up()
        page.fill("#id_sign_signer_name", "李女士")
        page.select_option("#id_sign_satisfied", "true")
        page.click("#sign-button")
        expect(page.locator("#record-status")).to_have_text("客户已签认")
        expect(page.locator("#signature-image")).to_be_visible()
        expect(page.locator("#signed-by")).to_contain_text("李女士")
        expect(page.locator("#form-add_part")).to_have_count(0)
        assert _fits(page)
        page.screenshot(path=str(ARTIFACTS / "repair_record_signed_phone_zh.png"), full_page=True)
        sheet = page.request.get(base + page.locator("#sheet-pdf").get_attribute("href"))
        assert (sheet.status, sheet.headers["content-type"], sheet.body()[:5]) == (200, "application/pdf", b"%PDF-")

        desk = _page_as(browser, base, sessions["supervisor"], viewport={"width": 1280, "height": 900})
        desk.goto(f"{base}{reverse('repairs:list')}")
        expect(desk.locator("h1")).to_have_text("Repair records")
        expect(desk.locator(".kefu-repair-row")).to_have_count(1)
        expect(desk.locator(".kefu-repair-row td").nth(4)).to_have_text("Signed by the customer")
        desk.click(f".kefu-repair-row a[href='{reverse('repairs:equipment_detail', args=[pump.pk])}']")
        expect(desk.locator("#equipment-title")).to_have_text("EQ-PUMP-1 2号生活水泵")
        expect(desk.locator(".kefu-repair-row")).to_have_count(1)
        desk.screenshot(path=str(ARTIFACTS / "repair_history_desktop_en.png"), full_page=True)
        browser.close()

    record = RepairRecord.objects.get(work_order=order)
    assert (record.status, record.equipment_id, record.labour_minutes, str(record.total), str(record.charge_collected),
            record.payment_method, record.signer_name, record.satisfied) == (
        "signed", pump.pk, 45, "120.00", "120.00", "wechat", "李女士", True)
    assert list(record.events.values_list("action", flat=True)) == [
        "open", "update", "add_part", "submit_quote", "collect", "sign"]
