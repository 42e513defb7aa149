from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kefu.org.tests.factories import make_staff
from kefu.surveys import services
from kefu.surveys.models import Campaign, Question, Questionnaire, Response
from kefu.surveys.tests.factories import answers_for, make_campaign, make_questionnaire

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=SH)


def client_for(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


# --- public pages --------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_personal_link_missing_required_answer_marks_the_field_and_saves_nothing(cast):
    campaign = make_campaign(actor=cast["supervisor"])
    invitation = campaign.invitations.first()
    url = reverse("surveys:respond", args=[invitation.token])
    page = Client().get(url)
    assert page.status_code == 200
    assert "您对保洁服务是否满意？" in page.content.decode()
    answers = answers_for(campaign, 5)
    cleaning = Question.objects.get(section__questionnaire=campaign.questionnaire, section__item__code="cleaning")
    del answers[cleaning.field_name]
    r = Client().post(url, answers)
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="error-{cleaning.field_name}"' in html
    assert html.count("kefu-question-invalid") == 1
    assert "请回答标出的问题" in html or "Please answer the marked questions" in html
    # what was answered stays checked
    security = Question.objects.get(section__questionnaire=campaign.questionnaire, section__item__code="security")
    assert f'id="{security.field_name}-5" value="5" checked' in html
    assert Response.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_used_expired_and_unknown_links_get_a_friendly_page(cast):
    campaign = make_campaign(actor=cast["supervisor"])
    invitation = campaign.invitations.first()
    url = reverse("surveys:respond", args=[invitation.token])
    r = Client().post(url, answers_for(campaign, 4))
    assert r.status_code == 200 and 'id="survey-thanks"' in r.content.decode()
    again = Client().get(url)
    assert again.status_code == 200 and 'data-state="used"' in again.content.decode()
    resubmit = Client().post(url, answers_for(campaign, 1))
    assert 'data-state="used"' in resubmit.content.decode()
    assert Response.objects.count() == 1
    unknown = Client().get(reverse("surveys:respond", args=["no-such-token"]))
    assert unknown.status_code == 404 and 'data-state="unknown"' in unknown.content.decode()
    other = campaign.invitations.exclude(pk=invitation.pk).first()
    with time_machine.travel(datetime(2026, 12, 5, 9, 0, tzinfo=SH), tick=False):
        expired = Client().get(reverse("surveys:respond", args=[other.token]))
        assert expired.status_code == 410
        assert 'data-state="expired"' in expired.content.decode() and "2026-11-30" in expired.content.decode()
        late = Client().post(reverse("surveys:respond", args=[other.token]), answers_for(campaign, 5))
        assert late.status_code == 410
    assert Response.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_building_qr_form_answers_once_per_unit(cast):
    campaign = make_campaign(actor=cast["supervisor"], units=3)
    code = campaign.building_codes.order_by("building__code").first()
    url = reverse("surveys:building", args=[code.token])
    units = list(campaign.invitations.filter(building=code.building))
    assert len(units) == 1
    form = Client().get(url).content.decode()
    assert units[0].asset.code in form
    missing_unit = Client().post(url, answers_for(campaign, 5))
    assert missing_unit.status_code == 400 and 'id="error-unit"' in missing_unit.content.decode()
    ok = Client().post(url, {**answers_for(campaign, 5), "unit": str(units[0].pk)})
    assert ok.status_code == 200
    assert Response.objects.get().channel == "qr"
    # the building's only unit has answered: the code now says so kindly
    done = Client().get(url)
    assert 'data-state="used"' in done.content.decode()


def test_public_pages_follow_the_language(cast):
    campaign = make_campaign(actor=cast["supervisor"], starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    token = campaign.invitations.first().token
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("surveys:respond", args=[token])).content.decode()
    assert "How satisfied are you with Cleaning?" in english and 'lang="en"' in english
    chinese = Client().get(reverse("surveys:respond", args=[token])).content.decode()
    assert "您对保洁服务是否满意？" in chinese and "提交" in chinese


# --- staff pages ---------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_paper_entry_by_unit_code(cast):
    campaign = make_campaign(actor=cast["supervisor"])
    invitation = campaign.invitations.select_related("asset").first()
    url = reverse("surveys:paper", args=[campaign.pk])
    clerk = client_for(cast["clerk"])
    assert clerk.get(url).status_code == 200
    bad = clerk.post(url, {**answers_for(campaign, 5), "unit": "NO-SUCH"})
    assert bad.status_code == 404 and 'id="error-unit"' in bad.content.decode()
    ok = clerk.post(url, {**answers_for(campaign, 4), "unit": invitation.asset.code, "paper_reference": "纸-001"})
    assert ok.status_code == 302
    response = Response.objects.get()
    assert (response.channel, response.entered_by, response.paper_reference) == ("paper", cast["clerk"], "纸-001")
    twice = clerk.post(url, {**answers_for(campaign, 4), "unit": invitation.asset.code})
    assert twice.status_code == 409
    assert Response.objects.count() == 1
    assert client_for(cast["technician"]).post(url, {"unit": invitation.asset.code}).status_code == 403
    assert client_for(cast["qa"]).post(url, {"unit": invitation.asset.code}).status_code == 403
    assert Response.objects.count() == 1


def test_results_page_in_chinese_and_english_and_scoping(cast, org):
    campaign = make_campaign(actor=cast["supervisor"], starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    services.response_submit(invitation=campaign.invitations.first(), channel="link",
                             answers=answers_for(campaign, 5, text="电梯很干净"))
    url = reverse("surveys:detail", args=[campaign.pk])
    zh = client_for(cast["supervisor"]).get(url).content.decode()
    assert "总体满意率" in zh and "参评率" in zh and "100.00%" in zh and "电梯很干净" in zh
    from kefu.org.services import staff_set_language

    staff_set_language(staff=cast["manager"].staff, language="en")
    en = client_for(cast["manager"], "en").get(url).content.decode()
    assert "Overall satisfaction rate" in en and "Response rate" in en and "Customer service" in en
    # a supervisor of another company does not see it; a technician may not use survey pages at all
    outsider = make_staff(role="supervisor", department=org["oteam"], username="other_sup").user
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(cast["technician"]).get(url).status_code == 403
    assert client_for(cast["vendor"]).get(reverse("surveys:list")).status_code == 403
    assert client_for(None).get(url).status_code == 302


def test_text_answers_are_searchable(cast):
    campaign = make_campaign(actor=cast["supervisor"], starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    for text, invitation in zip(["电梯经常故障", "绿化很好", "停车位不够"], campaign.invitations.order_by("id"),
                                strict=False):
        services.response_submit(invitation=invitation, channel="link", answers=answers_for(campaign, 4, text=text))
    client = client_for(cast["supervisor"])
    r = client.get(reverse("surveys:texts", args=[campaign.pk]), {"q": "电梯"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert html.count("kefu-text-answer") == 1 and "电梯经常故障" in html and "<html" not in html
    none = client.get(reverse("surveys:texts", args=[campaign.pk]), {"q": "物业费"}).content.decode()
    assert 'id="no-text-answers"' in none


def test_exports_and_qr_sheet(cast):
    campaign = make_campaign(actor=cast["supervisor"], starts_on=date(2026, 1, 1), ends_on=date(2099, 1, 1))
    services.response_submit(invitation=campaign.invitations.first(), channel="link",
                             answers=answers_for(campaign, 2, text="<b>差</b> & 慢"))
    client = client_for(cast["supervisor"])
    pdf = client.get(reverse("surveys:pdf", args=[campaign.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    xlsx = client.get(reverse("surveys:xlsx", args=[campaign.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    qr = client.get(reverse("surveys:qr", args=[campaign.pk])).content.decode()
    assert qr.count("<svg") == 3 and "/surveys/b/" in qr  # one per building


def test_campaign_list_query_budget(cast, django_assert_max_num_queries):
    q = make_questionnaire(actor=cast["supervisor"])
    for n in range(4):
        make_campaign(actor=cast["supervisor"], questionnaire=q, name=f"调查{n}", units=3)
    client = client_for(cast["supervisor"])
    client.get(reverse("surveys:list"))  # warm the session and actor caches
    with django_assert_max_num_queries(12):
        html = client.get(reverse("surveys:list")).content.decode()
    assert html.count("kefu-campaign-row") == 4 and "0 / 3" in html


def test_create_campaign_form_marks_fields_and_creates(cast):
    q = make_questionnaire(actor=cast["supervisor"])
    from kefu.surveys.tests.factories import make_estate

    site = make_estate(units=2)
    client = client_for(cast["supervisor"])
    assert client.get(reverse("surveys:create")).status_code == 200
    bad = client.post(reverse("surveys:create"), {"name": "调查", "questionnaire": q.pk, "starts_on": "2026-11-30",
                                                  "ends_on": "2026-11-01", "sites": [site.pk], "population": "units",
                                                  "target_rate": "95", "satisfied_min": "4"})
    assert bad.status_code == 400 and 'name="ends_on" id="id_ends_on"' in bad.content.decode()
    assert "is-invalid" in bad.content.decode()
    assert Campaign.objects.count() == 0
    ok = client.post(reverse("surveys:create"), {"name": "调查", "questionnaire": q.pk, "starts_on": "2026-11-01",
                                                 "ends_on": "2026-11-30", "sites": [site.pk], "population": "units",
                                                 "target_rate": "95", "satisfied_min": "4"})
    campaign = Campaign.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("surveys:detail", args=[campaign.pk])
    assert client_for(cast["agent"]).get(reverse("surveys:create")).status_code == 403
    opened = client.post(reverse("surveys:action", args=[campaign.pk, "open"]))
    assert opened.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "open" and campaign.invitations.count() == 2


def test_questionnaire_builder(cast):
    client = client_for(cast["supervisor"])
    r = client.post(reverse("surveys:questionnaires"), {"code": "annual", "title": "年度调查"})
    q = Questionnaire.objects.get()
    assert r.status_code == 302
    url = reverse("surveys:questionnaire", args=[q.pk])
    client.post(url, {"op": "section", "title": "保洁", "item": ""})
    section = q.sections.get()
    bad = client.post(url, {"op": "question", "section": section.pk, "kind": "single", "text": "年龄",
                            "options": "只有一个"})
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()
    client.post(url, {"op": "question", "section": section.pk, "kind": "scale5", "text": "保洁满意吗", "required": "on"})
    client.post(url, {"op": "publish"})
    q.refresh_from_db()
    assert q.status == "published" and Question.objects.filter(section=section).count() == 1
    frozen = client.post(url, {"op": "section", "title": "新增"})
    assert frozen.status_code == 409 and q.sections.count() == 1
    assert client_for(cast["clerk"]).get(url).status_code == 403


def test_a_closed_campaign_reads_yijieshu_while_a_closed_work_order_stays_yiguanbi(cast):
    """The foundation catalog (LOCALE_PATHS) wins over this app's for a shared msgid (ADR 0006):
    the survey labels whose msgid it translates with another meaning carry a context."""
    from django.utils import translation

    from kefu.surveys.choices import CampaignStatus
    from kefu.workorders.choices import Status

    with translation.override("zh-hans"):
        assert (str(CampaignStatus.CLOSED.label), str(Status.CLOSED.label)) == ("已结束", "已关闭")
        assert dict(CampaignStatus.choices)["closed"] == "已结束"
        assert [str(Question._meta.get_field(name).verbose_name) for name in ("position", "text", "required")] == [
            "顺序", "题目", "必答"]
    with translation.override("en"):
        assert (str(CampaignStatus.CLOSED.label), str(Status.CLOSED.label)) == ("Closed", "Closed")

    campaign = make_campaign(actor=cast["supervisor"], name="年度满意度调查")
    services.campaign_close(actor_user=cast["supervisor"], campaign=campaign, today=date(2026, 12, 1))
    client = client_for(cast["supervisor"])
    detail = client.get(reverse("surveys:detail", args=[campaign.pk])).content.decode()
    assert 'id="campaign-status">已结束</span>' in detail
    listed = client.get(reverse("surveys:list")).content.decode()
    assert '<span class="badge text-bg-dark">已结束</span>' in listed and "<th>调查期间</th>" in listed
    form = client.get(reverse("surveys:create")).content.decode()
    assert '<label class="form-label" for="id_name">名称 *</label>' in form
    open_campaign = make_campaign(actor=cast["supervisor"])
    with time_machine.travel(NOW, tick=False):
        public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(
            reverse("surveys:respond", args=[open_campaign.invitations.first().token])).content.decode()
    assert '<span class="visually-hidden">必答</span>' in public
