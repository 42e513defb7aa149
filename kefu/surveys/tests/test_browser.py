"""Real Chromium (Debian's, through Playwright): a supervisor reads a campaign's results in
Chinese; a respondent on a phone misses a required question, sees it marked, then answers.

ORM set-up and assertions happen outside the `sync_playwright()` block (Django refuses database
access from inside Playwright's event loop).
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kefu.surveys import services
from kefu.surveys.models import Question, Response
from kefu.surveys.tests.factories import answers_for, make_campaign, make_questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 5000

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


def test_supervisor_reads_campaign_results_in_chinese(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    q = make_questionnaire(actor=cast["supervisor"])
    previous = make_campaign(actor=cast["supervisor"], questionnaire=q, name="2026年上半年调查", units=4,
                             starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    for invitation in previous.invitations.all():
        services.response_submit(invitation=invitation, channel="paper", answers=answers_for(previous, 4))
    services.campaign_close(actor_user=cast["supervisor"], campaign=previous, today=date(2026, 7, 1))
    campaign = make_campaign(actor=cast["supervisor"], questionnaire=q, name="2026年下半年调查", units=5,
                             starts_on=date(2026, 7, 1), ends_on=date(2099, 12, 31))
    scores = [5, 4, 2, 4]  # 3 of 4 satisfied on every item; 4 of 5 units answered
    for score, invitation in zip(scores, campaign.invitations.order_by("id"), strict=False):
        services.response_submit(invitation=invitation, channel="link",
                                 answers=answers_for(campaign, score, text="保洁阿姨很负责" if score == 5 else ""))
    session = _session_cookie(cast["supervisor"])
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = _context(browser)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        page = context.new_page()
        page.goto(f"{base}/surveys/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("h1")).to_contain_text("满意度调查")
        page.click("text=2026年下半年调查")
        expect(page.locator("#overall-rate")).to_have_text("75.00%")
        expect(page.locator("#overall-count")).to_contain_text("有效评价 20 份中满意 15 份")
        expect(page.locator("#response-rate")).to_have_text("80.00%")
        expect(page.locator("#response-count")).to_contain_text("应评价 5 户中参评 4 户")
        expect(page.locator("#previous-rate")).to_have_text("100.00%")
        cleaning = page.locator("tr[data-item=cleaning]")
        expect(cleaning).to_contain_text("保洁服务")
        expect(cleaning.locator(".kefu-rate")).to_have_text("75.00%")
        expect(cleaning.locator(".kefu-count")).to_have_text("3 / 4")
        expect(cleaning).to_contain_text("未达标")
        # the chart rendered (ECharts draws into a canvas)
        expect(page.locator("#rate-chart canvas")).to_have_count(1)
        # search the comments
        page.fill("#text-q", "保洁")
        expect(page.locator(".kefu-text-answer")).to_have_count(1)
        page.fill("#text-q", "电梯")
        expect(page.locator("#no-text-answers")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "survey_results_zh.png"), full_page=True)
        # a phone-width reader still sees the numbers
        phone = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        small = phone.new_page()
        small.goto(f"{base}/surveys/campaigns/{campaign.pk}/")
        expect(small.locator("#overall-rate")).to_be_visible()
        small.screenshot(path=str(ARTIFACTS / "survey_results_phone.png"), full_page=True)
        browser.close()


def test_respondent_on_a_phone_is_shown_the_missing_answer(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    campaign = make_campaign(actor=cast["supervisor"], units=2, starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    invitation = campaign.invitations.order_by("id").first()
    fields = {q.section.item.code if q.section.item else q.kind: q.field_name for q in
              Question.objects.filter(section__questionnaire=campaign.questionnaire).select_related("section__item")}
    url = f"{live_server.url}/surveys/r/{invitation.token}/"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        page.goto(url)
        expect(page.locator("h1")).to_contain_text("物业服务满意度调查")
        for code in ("customer_service", "security", "greenery", "repairs"):  # cleaning forgotten
            page.click(f"label[for={fields[code]}-5]")
        page.click(f"label[for={fields['nps']}-9]")
        page.click("#submit-survey")
        expect(page.locator("#form-error")).to_contain_text("请回答标出的问题")
        expect(page.locator(f"#error-{fields['cleaning']}")).to_contain_text("此题必答")
        expect(page.locator(".kefu-question-invalid")).to_have_count(1)
        expect(page.locator(f"#{fields['security']}-5")).to_be_checked()  # nothing typed is lost
        page.screenshot(path=str(ARTIFACTS / "survey_missing_answer_phone.png"), full_page=True)
        page.click(f"label[for={fields['cleaning']}-2]")
        page.click("#submit-survey")
        expect(page.locator("#survey-thanks")).to_contain_text("感谢")
        page.goto(url)
        expect(page.locator("#survey-closed")).to_contain_text("您已填写过本次调查")
        browser.close()

    response = Response.objects.get()
    assert response.channel == "link"
    assert response.answers.get(question__section__item__code="cleaning").score == 2
