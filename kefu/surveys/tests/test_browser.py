"""Real Chromium (Debian's, through Playwright): a supervisor reads a campaign's results in
Chinese; a respondent on a phone misses a required question, sees it marked, then answers.

ORM set-up and assertions happen outside the `sync_playwright()` block (Django refuses database
access from inside Playwright's event loop).
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

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


def test_supervisor_reorders_and_deletes_questions_in_the_builder(live_server, cast):
    """Chinese: move the third question up, then delete the first; the page shows the new order
    after each htmx swap. English and a phone width read the same tools."""
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.models import Staff

    actor = cast["supervisor"]
    q = services.questionnaire_create(actor_user=actor, code="builder", title="年度意见征询表")
    section = services.section_add(actor_user=actor, questionnaire=q, title="保洁服务")
    for text in ("楼道是否干净？", "垃圾是否及时清运？", "保洁员态度如何？"):
        services.question_add(actor_user=actor, section=section, kind="scale5", text=text)
    Staff.objects.filter(user=cast["manager"]).update(language="en")
    supervisor, manager = _session_cookie(actor), _session_cookie(cast["manager"])
    url = f"{live_server.url}/surveys/questionnaires/{q.pk}/"
    texts = "#builder-sections .kefu-question-text"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = _context(browser)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator(texts)).to_have_text(["楼道是否干净？", "垃圾是否及时清运？", "保洁员态度如何？"])
        expect(page.locator(".kefu-move-up").first).to_be_disabled()
        expect(page.locator(".kefu-move-down").last).to_be_disabled()
        expect(page.locator(".kefu-move-up").nth(2)).to_have_attribute("title", "上移")
        page.locator(".kefu-move-up").nth(2).click()
        expect(page.locator(texts)).to_have_text(["楼道是否干净？", "保洁员态度如何？", "垃圾是否及时清运？"])
        page.locator(".kefu-delete-question").first.click()
        expect(page.locator(texts)).to_have_text(["保洁员态度如何？", "垃圾是否及时清运？"])
        expect(page.locator(".kefu-move-up").first).to_be_disabled()  # the new first question
        page.reload()  # what was saved, not only what was swapped in
        expect(page.locator(texts)).to_have_text(["保洁员态度如何？", "垃圾是否及时清运？"])
        page.screenshot(path=str(ARTIFACTS / "survey_builder_zh.png"), full_page=True)

        english = _context(browser)
        english.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": manager, "url": live_server.url}])
        en = english.new_page()
        en.goto(url)
        expect(en.locator("html")).to_have_attribute("lang", "en")
        expect(en.locator(".kefu-move-down").first).to_have_attribute("title", "Move down")
        expect(en.locator(".kefu-delete-question").first).to_have_attribute("aria-label", "Delete question")

        phone = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
        small = phone.new_page()
        small.goto(url)
        expect(small.locator(".kefu-delete-question").first).to_be_visible()
        expect(small.locator(".kefu-move-down").first).to_be_in_viewport()
        assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        small.screenshot(path=str(ARTIFACTS / "survey_builder_phone.png"), full_page=True)
        browser.close()

    assert list(Question.objects.filter(section=section).order_by("position").values_list("text", "position")) == [
        ("保洁员态度如何？", 1), ("垃圾是否及时清运？", 2)]


def test_supervisor_reorders_and_deletes_sections_in_the_builder(live_server, cast):
    """Chinese: move the last section up, then delete the first (confirmed) with its questions; the
    sections and the "add a question" form's section list follow after each htmx swap. English and
    a phone width read the same tools."""
    from playwright.sync_api import expect, sync_playwright

    from kefu.org.models import Staff
    from kefu.surveys.models import Section, ServiceItem

    actor = cast["supervisor"]
    q = services.questionnaire_create(actor_user=actor, code="sections", title="年度意见征询表")
    for title, code in (("保洁服务", "cleaning"), ("绿化养护", "greenery"), ("总体评价", None)):
        item = ServiceItem.objects.get(code=code) if code else None
        section = services.section_add(actor_user=actor, questionnaire=q, title=title, item=item)
        services.question_add(actor_user=actor, section=section, kind="scale5", text=f"{title}是否满意？")
    Staff.objects.filter(user=cast["manager"]).update(language="en")
    supervisor, manager = _session_cookie(actor), _session_cookie(cast["manager"])
    url = f"{live_server.url}/surveys/questionnaires/{q.pk}/"
    titles = "#builder-sections .kefu-section-title"
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = _context(browser)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
        page = context.new_page()
        page.on("dialog", accept)
        page.goto(url)
        expect(page.locator(titles)).to_have_text(["保洁服务", "绿化养护", "总体评价"])
        expect(page.locator(".kefu-section-up").first).to_be_disabled()
        expect(page.locator(".kefu-section-down").last).to_be_disabled()
        expect(page.locator(".kefu-section-up").nth(2)).to_have_attribute("title", "部分上移")
        page.locator(".kefu-section-up").nth(2).click()
        expect(page.locator(titles)).to_have_text(["保洁服务", "总体评价", "绿化养护"])
        expect(page.locator("#id_q_section option")).to_have_text(["保洁服务", "总体评价", "绿化养护"])
        page.locator(".kefu-delete-section").first.click()
        expect(page.locator(titles)).to_have_text(["总体评价", "绿化养护"])
        expect(page.locator(".kefu-question-text")).to_have_text(["总体评价是否满意？", "绿化养护是否满意？"])
        expect(page.locator("#id_q_section option")).to_have_text(["总体评价", "绿化养护"])
        expect(page.locator(".kefu-section-up").first).to_be_disabled()  # the new first section
        page.reload()  # what was saved, not only what was swapped in
        expect(page.locator(titles)).to_have_text(["总体评价", "绿化养护"])
        page.screenshot(path=str(ARTIFACTS / "survey_builder_sections_zh.png"), full_page=True)

        english = _context(browser)
        english.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": manager, "url": live_server.url}])
        en = english.new_page()
        en.goto(url)
        expect(en.locator("html")).to_have_attribute("lang", "en")
        expect(en.locator(".kefu-section-down").first).to_have_attribute("title", "Move section down")
        expect(en.locator(".kefu-delete-section").first).to_have_attribute("aria-label", "Delete section")

        phone = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": supervisor, "url": live_server.url}])
        small = phone.new_page()
        small.goto(url)
        expect(small.locator(".kefu-delete-section").first).to_be_visible()
        expect(small.locator(".kefu-section-down").first).to_be_in_viewport()
        assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        small.screenshot(path=str(ARTIFACTS / "survey_builder_sections_phone.png"), full_page=True)
        browser.close()

    assert dialogs == ["删除此部分及其全部问题？"]
    assert list(Section.objects.filter(questionnaire=q).order_by("position").values_list("title", "position")) == [
        ("总体评价", 1), ("绿化养护", 2)]
    assert list(Question.objects.filter(section__questionnaire=q).order_by("section__position")
                .values_list("text", flat=True)) == ["总体评价是否满意？", "绿化养护是否满意？"]


def test_campaign_by_customer_tag_in_chinese(live_server, cast):
    """The 客户标签 field: an empty or over-long tag is marked and nothing is planned; a tag picks
    exactly the customers carrying it (any case, deleted customers left out) when the campaign
    opens; a tag nobody carries plans a draft that refuses to open, naming the population."""
    from playwright.sync_api import expect, sync_playwright

    from kefu.customers.models import Customer
    from kefu.customers.tests.factories import make_customer
    from kefu.surveys.models import Campaign, Invitation

    q = make_questionnaire(actor=cast["supervisor"])
    vip, also_vip, plain, gone = (make_customer(name=n) for n in ("甲", "乙", "丙", "丁"))
    Customer.objects.filter(pk__in=[vip.pk, gone.pk]).update(tags=["VIP", "业主委员会"])
    Customer.objects.filter(pk=also_vip.pk).update(tags=["vip"])
    Customer.objects.filter(pk=plain.pk).update(tags=["租户"])
    Customer.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    session = _session_cookie(cast["supervisor"])
    base = live_server.url

    def plan(page, name: str, tag: str):
        page.goto(f"{base}/surveys/campaigns/new/")
        page.fill("#id_name", name)
        page.select_option("#id_questionnaire", str(q.pk))
        page.fill("#id_starts_on", "2026-01-01")
        page.fill("#id_ends_on", "2099-12-31")
        page.select_option("#id_population", "tag")
        page.fill("#id_tag", tag)
        page.click("#save-campaign")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = _context(browser)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        page = context.new_page()
        page.goto(f"{base}/surveys/campaigns/new/")
        expect(page.locator("label[for=id_tag]")).to_have_text("客户标签")
        expect(page.locator("#id_population option[value=tag]")).to_have_text("带有某标签的客户")

        plan(page, "VIP 客户调查", "   ")
        expect(page.locator("#id_tag")).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(page.locator("#id_tag + .invalid-feedback")).to_have_text("tag：此项必填。")
        expect(page.locator("#id_population")).to_have_value("tag")  # what was chosen stays chosen

        # A client that ignores maxlength still gets the field error from the service.
        plan(page, "VIP 客户调查", "")
        page.evaluate("document.getElementById('id_tag').removeAttribute('maxlength')")
        page.fill("#id_tag", "V" * 33)
        page.click("#save-campaign")
        expect(page.locator("#id_tag + .invalid-feedback")).to_have_text("tag：最多 32 个字符。")
        expect(page.locator("#form-error")).to_have_text("tag：最多 32 个字符。")
        expect(page.locator("#id_tag")).to_have_value("V" * 33)

        plan(page, "VIP 客户调查", " vip ")
        expect(page.locator("h1")).to_contain_text("VIP 客户调查")
        page.click("#open-campaign")
        expect(page.locator("#messages")).to_contain_text("调查已开始。")

        plan(page, "无人标签调查", "不存在的标签")
        expect(page.locator("h1")).to_contain_text("无人标签调查")
        page.click("#open-campaign")
        expect(page.locator("#messages")).to_contain_text("调查对象：此调查没有任何调查对象。")
        page.screenshot(path=str(ARTIFACTS / "survey_tag_campaign_zh.png"), full_page=True)
        browser.close()

    campaigns = {c.name: c for c in Campaign.objects.all()}
    assert sorted(campaigns) == ["VIP 客户调查", "无人标签调查"]  # the refused forms planned nothing
    tagged = campaigns["VIP 客户调查"]
    assert (tagged.population, tagged.tag, tagged.status) == ("tag", "vip", "open")
    assert sorted(Invitation.objects.filter(campaign=tagged).values_list("customer__name", flat=True)) == ["乙", "甲"]
    nobody = campaigns["无人标签调查"]
    assert (nobody.tag, nobody.status) == ("不存在的标签", "draft")
    assert not Invitation.objects.filter(campaign=nobody).exists()
