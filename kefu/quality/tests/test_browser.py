"""A real browser (Debian's Chromium) drives the QA pages, in Chinese: QA scores a sampled order
(a marked field first, then the scores) and the agent appeals it, once.

ORM set-up and assertions stay outside the `sync_playwright()` block (see
kefu/workorders/tests/test_browser.py, whose helpers this reuses).
"""

import pytest

from kefu.quality.models import QACheck
from kefu.quality.tests.factories import FAILING, sample_checks
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not CHROMIUM or not __import__("pathlib").Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_qa_scores_a_sampled_order_and_the_agent_appeals(live_server, cast):
    check = sample_checks(agent=cast["agent"])[0]
    number = check.work_order.number
    sessions = {name: _session_cookie(cast[name]) for name in ("qa", "agent")}
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright_context() as (p, expect):
        browser = _browser(p)
        qa = _page_as(browser, live_server.url, sessions["qa"])
        qa.goto(f"{live_server.url}/quality/?status=pending")
        expect(qa.locator("h1")).to_have_text("质检")
        expect(qa.locator(".kefu-check-row")).to_have_count(1)
        qa.click(f".kefu-check-row[data-order='{number}'] a")
        expect(qa.locator("#check-status")).to_contain_text("待评分")
        form = "#form-score"
        for code, points in FAILING.items():
            qa.fill(f"{form} input[name=score_{code}]", str(points))
        qa.fill(f"{form} input[name=score_readback]", "120")  # out of range: marked, nothing saved
        qa.click(f"{form} button[type=submit]")
        expect(qa.locator(f"{form} .invalid-feedback")).to_have_count(1)
        qa.fill(f"{form} input[name=score_readback]", "0")
        qa.fill(f"{form} textarea[name=comment]", "未向客户复述确认")
        qa.click(f"{form} button[type=submit]")
        qa.wait_for_selector(".kefu-event[data-action=score]")
        expect(qa.locator("#check-score")).to_have_text("58.50")
        expect(qa.locator("#check-status")).to_contain_text("不合格")
        qa.screenshot(path=str(ARTIFACTS / "qa_check_scored_zh.png"), full_page=True)

        agent = _page_as(browser, live_server.url, sessions["agent"], **PHONE)
        agent.goto(f"{live_server.url}/quality/")
        agent.click(f".kefu-check-row[data-order='{number}'] a")
        expect(agent.locator("#check-comment")).to_have_text("未向客户复述确认")
        expect(agent.locator("#form-score")).to_have_count(0)
        agent.fill("#form-appeal textarea[name=reason]", "客户来电时明确拒绝复述")
        agent.click("#form-appeal button[type=submit]")
        agent.wait_for_selector(".kefu-event[data-action=appeal]")
        expect(agent.locator("#check-status")).to_contain_text("申诉中")
        expect(agent.locator("#form-appeal")).to_have_count(0)  # one appeal only
        agent.screenshot(path=str(ARTIFACTS / "qa_check_appealed_phone_zh.png"), full_page=True)
        browser.close()

    check.refresh_from_db()
    assert (check.status, str(check.score), check.appeal_reason, check.scored_by) == (
        "appealed", "58.50", "客户来电时明确拒绝复述", cast["qa"])
    assert list(check.events.values_list("action", flat=True)) == ["sample", "score", "appeal"]
    assert QACheck.objects.count() == 1


class sync_playwright_context:
    """`with sync_playwright_context() as (p, expect)`: the Playwright import stays inside the test."""

    def __enter__(self):
        from playwright.sync_api import expect, sync_playwright

        self._cm = sync_playwright()
        return self._cm.__enter__(), expect

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
