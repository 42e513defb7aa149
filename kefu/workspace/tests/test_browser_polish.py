"""Real Chromium, Chinese and English, desktop and 390 px: the calendar editor (days × time ranges,
refused per day, then saved) and a refused page that says why."""

import re
from pathlib import Path

import pytest

from kefu.sla.models import WorkCalendar
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# The admin's first page in a fresh live server (its templates and catalogues loading) can take
# longer than the shared TIMEOUT_MS on a busy machine; a bound, not a timing.
SLOW_PAGE_MS = 30_000


def _grant_sla_admin_permissions():
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="kefu:administrator").permissions.add(
        *Permission.objects.filter(content_type__app_label="sla"))


def test_the_calendar_editor_in_chinese_on_a_desktop_and_in_english_on_a_phone(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    _grant_sla_admin_permissions()
    admin_user = cast["administrator"]
    zh = _session_cookie(admin_user)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, base, zh, **DESKTOP)
        page.set_default_timeout(SLOW_PAGE_MS)
        page.goto(f"{base}/admin/sla/workcalendar/add/")
        expect(page.locator("textarea[name=hours]")).to_have_count(0)  # no raw JSON
        expect(page.locator(".kefu-hours tr[data-day=mon] th")).to_have_text("星期一")
        page.fill("#id_name", "前台排班")
        page.fill("#id_hours_mon_0_start", "09:00")
        page.fill("#id_hours_mon_0_end", "12:00")
        page.fill("#id_hours_mon_1_start", "13:00")
        page.fill("#id_hours_mon_1_end", "18:00")
        page.fill("#id_hours_tue_0_start", "18:00")
        page.fill("#id_hours_tue_0_end", "09:00")
        page.fill("#id_hours_sat_0_start", "09:00")
        page.click("input[name=_save]")
        errors = page.locator(".field-hours .errorlist li")
        expect(errors).to_have_text(["星期二：18:00–09:00 结束时间早于开始时间。", "星期六：每个时段都要填写开始和结束时间。"])
        # what was typed is kept, so only the wrong day needs fixing
        expect(page.locator("#id_hours_mon_1_end")).to_have_value("18:00")
        page.screenshot(path=str(ARTIFACTS / "calendar_editor_refused_zh.png"), full_page=True)
        page.fill("#id_hours_tue_0_start", "09:00")
        page.fill("#id_hours_tue_0_end", "18:00")
        page.fill("#id_hours_sat_0_end", "12:00")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_be_visible()
        browser.close()

    calendar = WorkCalendar.objects.get(name="前台排班")
    assert calendar.hours == {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "18:00"]],
                              "wed": [], "thu": [], "fri": [], "sat": [["09:00", "12:00"]], "sun": []}
    admin_user.staff.language = "en"
    admin_user.staff.save(update_fields=["language"])

    with sync_playwright() as p:
        browser = _browser(p)
        phone = _page_as(browser, base, zh, **PHONE)
        phone.set_default_timeout(SLOW_PAGE_MS)
        phone.goto(f"{base}/admin/sla/workcalendar/{calendar.pk}/change/")
        expect(phone.locator(".kefu-hours tr[data-day=sat] th")).to_have_text("Saturday")
        expect(phone.locator("#id_hours_tue_0_end")).to_have_value("18:00")
        table = phone.locator(".kefu-hours-table")
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the ranges wrap under each day
        phone.fill("#id_hours_wed_0_start", "14:00")
        phone.fill("#id_hours_wed_0_end", "16:00")
        phone.fill("#id_hours_wed_1_start", "15:00")
        phone.fill("#id_hours_wed_1_end", "17:00")
        phone.click("input[name=_save]")
        expect(phone.locator(".field-hours .errorlist li")).to_have_text(
            ["Wednesday: 14:00–16:00 and 15:00–17:00 overlap."])
        phone.screenshot(path=str(ARTIFACTS / "calendar_editor_phone_en.png"), full_page=True)
        browser.close()
    calendar.refresh_from_db()
    assert calendar.hours["wed"] == []  # nothing half-written


def test_a_refused_page_says_why_in_both_languages(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    agent, vendor = cast["agent"], cast["vendor"]
    vendor.staff.language = "en"
    vendor.staff.save(update_fields=["language"])
    sessions = {"agent": _session_cookie(agent), "vendor": _session_cookie(vendor)}
    role_zh = agent.staff.role.name
    base = live_server.url
    with sync_playwright() as p:
        browser = _browser(p)
        phone = _page_as(browser, base, sessions["agent"], **PHONE)
        phone.goto(f"{base}/privacy/access-log/")
        expect(phone.locator("h1")).to_have_text("403 · 无权访问")
        expect(phone.get_by_test_id("refusal-reason")).to_have_text("仅质检员或系统管理员可以查看个人信息访问日志。")
        expect(phone.get_by_test_id("refusal-role")).to_have_text(f"您当前的身份：{role_zh}。")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(ARTIFACTS / "refusal_phone_zh.png"), full_page=True)

        desktop = _page_as(browser, base, sessions["vendor"], **DESKTOP)
        desktop.goto(f"{base}/privacy/access-log/")
        expect(desktop.get_by_test_id("refusal-reason")).to_have_text(
            "Only a quality inspector or an administrator may read the personal-data access log.")
        expect(desktop.get_by_test_id("refusal-role")).to_contain_text("You are signed in as:")
        expect(desktop.locator("link[rel=icon]")).to_have_attribute("href", re.compile(r"^/static/img/favicon[.\w]*\.svg$"))
        desktop.get_by_role("link", name="Back to the queues").click()
        expect(desktop).to_have_url(re.compile(rf"^{re.escape(base)}/work-orders/"))
        browser.close()
