"""A manager schedules a weekly report in Chinese in a real Chromium: a wrong address is marked on
the form, two recipients are saved, the schedule shows in the list, "run now" generates the file
once (a second click says it was already generated) and its link downloads it; the list works at
phone width.

ORM set-up and assertions happen outside the `sync_playwright()` block (Playwright runs an event
loop in this thread and Django refuses database access from inside one).
"""

from pathlib import Path

import pytest

from kefu.reports.tests.test_browser import ARGS, ARTIFACTS, CHROMIUM, _page, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():  # never download a browser: skip where Debian's is missing
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))


def test_manager_schedules_a_weekly_report_and_runs_it_now(live_server, cast, org, settings, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from kefu.notifications.models import OutboundMessage
    from kefu.reports.models import GeneratedReport, ReportSchedule

    settings.MEDIA_ROOT = tmp_path
    session = _session_cookie(cast["manager"])
    base = live_server.url
    front = str(org["front"].pk)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _page(browser, base, session)
        page.goto(f"{base}/reports/generated/")
        page.click("#nav-report-schedules")
        expect(page.locator("h1")).to_have_text("报表计划")
        expect(page.locator("#report-schedules")).to_contain_text("还没有报表计划。")
        page.click("#schedule-new")
        expect(page.locator("h1")).to_have_text("新建报表计划")

        page.fill("#id_name", "前台组客服周报")
        page.select_option("#id_report", "service_analysis")
        page.check("#id_frequency_weekly")
        page.select_option("#id_team", front)
        page.fill("#id_recipients", "boss@example.com\nnot-an-address")
        page.click("#schedule-save")
        expect(page.locator("#id_recipients")).to_have_class("form-control is-invalid")
        expect(page.locator("#id_recipients + .invalid-feedback")).to_contain_text("not-an-address 不是有效邮箱")
        expect(page.locator("#id_team")).to_have_value(front)  # the picks survive the refusal
        page.screenshot(path=str(ARTIFACTS / "reports_schedule_form_zh.png"), full_page=True)

        page.fill("#id_recipients", "boss@example.com\nops@example.com")
        page.click("#schedule-save")
        expect(page.locator("#messages")).to_contain_text("报表计划“前台组客服周报”已创建。")
        row = page.locator("#report-schedules tbody tr").first
        expect(row).to_contain_text("前台组客服周报")
        expect(row).to_contain_text("服务分析")
        expect(row).to_contain_text("前台组")
        expect(row.locator(".kefu-schedule-recipients")).to_have_text("boss@example.comops@example.com")
        expect(row.locator(".kefu-schedule-status")).to_have_text("启用中")
        expect(row).to_contain_text("尚未生成")

        row.locator(".kefu-schedule-run").click()
        expect(page.locator("#messages")).to_contain_text("已生成，并已通过邮件发送给 2 位收件人")
        link = page.locator("#report-schedules .kefu-latest-file:visible")
        expect(link).to_have_count(1)
        href = link.get_attribute("href")
        expect(page.locator("#run-now-file")).to_have_attribute("href", href)
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        page.screenshot(path=str(ARTIFACTS / "reports_schedules_zh.png"), full_page=True)

        page.locator("#report-schedules tbody tr").first.locator(".kefu-schedule-run").click()
        expect(page.locator("#messages")).to_contain_text("此前已生成，本次未重复发送")

        # phone width: name, status, the file and the buttons, no sideways scrolling
        phone = _page(browser, base, session, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{base}/reports/schedules/")
        phone_row = phone.locator("#report-schedules tbody tr").first
        expect(phone_row.locator(".kefu-schedule-name")).to_be_visible()
        expect(phone_row.locator(".kefu-latest-file:visible")).to_have_attribute("href", href)
        expect(phone_row.locator(".kefu-schedule-run")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.screenshot(path=str(ARTIFACTS / "reports_schedules_phone.png"), full_page=True)
        browser.close()

    schedule = ReportSchedule.objects.get()
    assert (schedule.name, schedule.frequency, schedule.owner_id, schedule.scope) == (
        "前台组客服周报", "weekly", cast["manager"].pk, {"team": org["front"].pk})
    assert schedule.recipients == ["boss@example.com", "ops@example.com"]
    generated = GeneratedReport.objects.get(schedule=schedule)
    assert href == f"/reports/generated/{generated.pk}/"
    assert schedule.last_period_start == generated.period_start
    assert sorted(OutboundMessage.objects.values_list("to_address", flat=True)) == ["boss@example.com",
                                                                                   "ops@example.com"]
