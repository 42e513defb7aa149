"""A real browser (Debian's Chromium) on the QA scoring form (issue #20), in Chinese on a desktop
and in English on a phone: each item's guide, the running weighted total and the pass line while
scoring; the server's score agrees with what the page showed."""

import pytest

from kefu.quality.tests.factories import FAILING, sample_checks
from kefu.workorders.tests.test_browser import ARTIFACTS, CHROMIUM, _browser, _page_as, _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not __import__("os").path.exists(CHROMIUM):
    pytestmark.append(pytest.mark.skip(reason="needs /usr/bin/chromium"))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SLOW_MS = 30_000
TEXTS = {"zh-hans": {"pass": "合格", "fail": "低于及格线", "pending": "尚有评分项未填", "guide": "满分标准"},
         "en": {"pass": "Pass", "fail": "Below the pass line", "pending": "Not all items scored", "guide": "Full marks"}}


@pytest.mark.parametrize(("language", "device"), [("zh-hans", DESKTOP), ("en", PHONE)])
def test_running_total_and_pass_line_while_scoring(live_server, cast, language, device):
    from playwright.sync_api import expect, sync_playwright

    check = sample_checks(agent=cast["agent"])[0]
    cast["qa"].staff.language = language
    cast["qa"].staff.save(update_fields=["language"])
    session = _session_cookie(cast["qa"])
    texts = TEXTS[language]
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = _browser(p)
        page = _page_as(browser, live_server.url, session, **device)
        page.set_default_timeout(SLOW_MS)  # a shared, busy machine: generous waits (no sleeps)
        expect.set_options(timeout=SLOW_MS)
        page.goto(f"{live_server.url}/quality/{check.pk}/")
        form = "#form-score"
        expect(page.locator(f"{form} .kefu-qa-guide")).to_have_count(6)
        expect(page.locator(f"{form} .kefu-qa-item[data-item=readback] .kefu-qa-guide")).to_contain_text(texts["guide"])
        expect(page.locator("#score-verdict")).to_have_text(texts["pending"])
        for code, points in FAILING.items():
            page.fill(f"{form} input[name=score_{code}]", str(points))
        expect(page.locator("#score-running-total")).to_have_text("58.50")
        expect(page.locator("#score-verdict")).to_have_text(texts["fail"])
        page.fill(f"{form} input[name=score_readback]", "100")  # 58.50 + 10 × 100 / 100
        expect(page.locator("#score-running-total")).to_have_text("68.50")
        for code in ("category", "greeting", "promise"):
            page.fill(f"{form} input[name=score_{code}]", "100")
        expect(page.locator("#score-running-total")).to_have_text("90.00")
        expect(page.locator("#score-verdict")).to_have_text(texts["pass"])
        if device is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"qa_running_total_{language}.png"), full_page=True)
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector(".kefu-event[data-action=score]")
        expect(page.locator("#check-score")).to_have_text("90.00")
        browser.close()

    check.refresh_from_db()
    assert (str(check.score), check.passed) == ("90.00", True)
