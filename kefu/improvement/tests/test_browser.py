"""A real browser (Debian's Chromium) drives the corrective-action pages, in Chinese.

ORM set-up and assertions stay outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py, whose helpers this reuses).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.improvement.models import CorrectiveAction
from kefu.improvement.tests.factories import make_notice
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _act, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_owner_cannot_verify_and_qa_verifies_not_effective_which_reissues(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], title="电话接听超时")
    new_due = (timezone.localdate() + timedelta(days=21)).isoformat()
    sessions = {name: _session_cookie(cast[name]) for name in ("agent", "qa")}
    url = f"{live_server.url}/corrective-actions/{notice.pk}/"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        owner = _page_as(browser, live_server.url, sessions["agent"])
        owner.goto(url)
        expect(owner.locator("h1")).to_contain_text("电话接听超时")
        expect(owner.locator("#notice-status")).to_contain_text("已签发")
        _act(owner, "accept")
        _act(owner, "record_action", fill={"textarea[name=root_cause]": "高峰期排班不足",
                                           "textarea[name=action_taken]": "高峰期加开两个席位"})
        expect(owner.locator("#notice-status")).to_contain_text("已整改")
        # the owner sees no way to verify their own notice
        expect(owner.locator("button[data-action=verify_effective]")).to_have_count(0)
        expect(owner.locator("button[data-action=verify_not_effective]")).to_have_count(0)

        qa = _page_as(browser, live_server.url, sessions["qa"], **PHONE)
        qa.goto(url)
        expect(qa.locator("#action-taken")).to_contain_text("高峰期加开两个席位")
        qa.click("button[data-action=verify_not_effective]")
        form = "#form-verify_not_effective"
        qa.wait_for_selector(f"{form} button[type=submit]", state="visible")
        qa.click(f"{form} button[type=submit]")  # empty: both fields are marked, nothing saved
        expect(qa.locator(f"{form} .invalid-feedback")).to_have_count(2)
        qa.fill(f"{form} textarea[name=verification]", "复查接听率仍为 80%")
        qa.fill(f"{form} input[name=due_date]", new_due)
        qa.click(f"{form} button[type=submit]")
        qa.wait_for_selector(".kefu-event[data-action=verify_not_effective]")
        expect(qa.locator("#notice-status")).to_contain_text("重新签发")
        expect(qa.locator("#notice-status .kefu-round")).to_contain_text("第 2 轮")
        expect(qa.locator("#notice-due")).to_have_text(new_due)
        qa.screenshot(path=str(ARTIFACTS / "corrective_action_reissued_phone_zh.png"), full_page=True)
        browser.close()

    notice.refresh_from_db()
    assert (notice.status, notice.round, notice.verified_by) == ("reissued", 2, cast["qa"])
    assert notice.due_date.isoformat() == new_due
    assert list(notice.events.order_by("id").values_list("action", flat=True)) == [
        "create", "accept", "record_action", "verify_not_effective"]


def test_supervisor_raises_a_notice_with_the_form(live_server, cast, org):
    from playwright.sync_api import expect, sync_playwright

    # in English this time, at desktop width
    cast["supervisor"].staff.language = "en"
    cast["supervisor"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["supervisor"])
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    front, agent_id, agent_name = org["front"].pk, cast["agent"].pk, cast["agent"].staff.display_name
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session)
        page.goto(f"{live_server.url}/corrective-actions/")
        expect(page.locator("h1")).to_have_text("Corrective action notices")
        expect(page.locator(".kefu-empty")).to_be_visible()
        page.click("#new-notice")
        page.fill("#id_title", "前台礼仪不到位")
        page.fill("#id_nonconformity", "巡查发现前台未起身迎客。")
        page.select_option("#create-department", str(front))
        page.wait_for_selector(f"#create-owner option[value='{agent_id}']", state="attached")
        page.select_option("#create-owner", str(agent_id))
        page.fill("#id_due_date", due)
        page.click("#issue-notice")
        page.wait_for_selector(".alert-success")
        expect(page.locator("#notice-owner")).to_contain_text(agent_name)
        page.screenshot(path=str(ARTIFACTS / "corrective_action_issued_en.png"), full_page=True)
        page.goto(f"{live_server.url}/corrective-actions/?status=issued")
        expect(page.locator(".kefu-notice-row")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "corrective_action_list_en.png"), full_page=True)
        browser.close()

    notice = CorrectiveAction.objects.get()
    assert (notice.title, notice.owner_id, notice.status) == ("前台礼仪不到位", agent_id, "issued")
