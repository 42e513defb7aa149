"""A questionnaire with service-item sections AND a section without a service item (总体评价, with
its own 5-point "overall, how satisfied are you?" question): the satisfaction rates pool only the
answers to the service items (docs/surveys.md, "Sections without a service item"), the overall
question is reported on its own line, and the campaign page, the results API and the service
analysis' campaign figure (kefu.reports) show the same numbers.

    units u1–u4, satisfied_min 4        customer service   cleaning   overall question
        u1                               5                  4          2
        u2                               3                  5          1
        u3                               4                  2          4
        u4                               (no answer)
    customer service 2 / 3, cleaning 2 / 3 → 总体满意率 4 / 6 = 0.6667 (counting the overall
    question too would give 5 / 9 = 0.5556); the overall question on its own 1 / 3 = 0.3333;
    参评率 3 / 4 = 0.75.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kefu.org.selectors import actor_for_user
from kefu.surveys import selectors, services
from kefu.surveys.choices import QuestionKind
from kefu.surveys.models import Question
from kefu.surveys.tests.factories import answers_for, make_campaign, make_estate, make_questionnaire

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def campaign(cast):
    supervisor = cast["supervisor"]
    questionnaire = make_questionnaire(actor=supervisor, items=("customer_service", "cleaning"), publish=False)
    general = questionnaire.sections.get(item__isnull=True)  # 总体评价: NPS, age, improvements, comments
    services.question_add(actor_user=supervisor, section=general, kind=QuestionKind.SCALE5,
                          text="您对物业服务的总体满意度", text_en="Overall, how satisfied are you with our service?")
    questionnaire = services.questionnaire_publish(actor_user=supervisor, questionnaire=questionnaire)
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=False):
        campaign = make_campaign(actor=supervisor, questionnaire=questionnaire, site=make_estate(units=4),
                                 starts_on=NOVEMBER[0], ends_on=NOVEMBER[1])
        invitations = list(campaign.invitations.order_by("asset__code"))
        for invitation, (cs, cleaning, overall) in zip(invitations, [(5, 4, 2), (3, 5, 1), (4, 2, 4)], strict=False):
            services.response_submit(invitation=invitation, channel="link", answers=answers_for(
                campaign, {"customer_service": cs, "cleaning": cleaning, "general": overall}))
    return campaign


def _overall_question(campaign) -> Question:
    return Question.objects.get(section__questionnaire=campaign.questionnaire, kind=QuestionKind.SCALE5,
                                section__item__isnull=True)


def test_rates_pool_only_the_service_items_and_the_overall_question_has_its_own_line(campaign):
    results = selectors.campaign_results(campaign=campaign)
    assert [(i["code"], i["rate"], i["numerator"], i["denominator"]) for i in results["items"]] == [
        ("customer_service", Decimal("0.6667"), 2, 3), ("cleaning", Decimal("0.6667"), 2, 3)]
    overall = results["overall"]
    assert (overall["rate"], overall["numerator"], overall["denominator"]) == (Decimal("0.6667"), 4, 6)
    assert (overall["numerator"], overall["denominator"]) == (
        sum(i["numerator"] for i in results["items"]), sum(i["denominator"] for i in results["items"]))
    assert results["general"] == [{
        "question_id": _overall_question(campaign).pk, "section": "总体评价", "text": "您对物业服务的总体满意度",
        "rate": Decimal("0.3333"), "numerator": 1, "denominator": 3,
        "distribution": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0}}]
    assert results["response_rate"] == {"rate": Decimal("0.7500"), "numerator": 3, "denominator": 4}


def test_the_campaign_page_and_the_api_show_the_same_numbers(campaign, cast, api):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(cast["supervisor"])
    html = client.get(reverse("surveys:detail", args=[campaign.pk])).content.decode()
    assert 'id="overall-rate">66.67%</div>' in html
    assert "有效评价 6 份中满意 4 份" in html
    question = _overall_question(campaign)
    row = html[html.index(f'data-question="{question.pk}"'):]
    row = row[:row.index("</tr>")]
    assert '<th scope="row">您对物业服务的总体满意度</th>' in row
    assert '<td class="text-end kefu-rate">33.33%</td>' in row and '<td class="text-end kefu-count">1 / 3</td>' in row
    assert "不计入总体满意率" in html

    body = api(cast["supervisor"]).get(f"/api/v1/surveys/campaigns/{campaign.pk}/results/").json()
    assert {k: body["overall"][k] for k in ("rate", "numerator", "denominator")} == {
        "rate": "0.6667", "numerator": 4, "denominator": 6}
    assert body["general"] == [{"rate": "0.3333", "numerator": 1, "denominator": 3, "question_id": question.pk,
                                "section": "总体评价", "text": "您对物业服务的总体满意度",
                                "distribution": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0}}]


def test_the_service_analysis_figure_equals_the_campaign_page(campaign, cast, client):
    from kefu.reports import selectors as reports
    from kefu.reports.metrics import Period

    actor = actor_for_user(cast["supervisor"])
    figure = reports.campaign_satisfaction(actor=actor, period=Period(*NOVEMBER, "Asia/Shanghai"),
                                           scope=reports.Scope())
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (4, 6, 0.6667)
    assert (figure["response_rate"]["numerator"], figure["response_rate"]["denominator"]) == (3, 4)
    assert [(c["id"], c["satisfaction_rate"]["numerator"], c["satisfaction_rate"]["denominator"])
            for c in figure["campaigns"]] == [(campaign.pk, 4, 6)]
    # the lists behind the figure hold exactly those answers
    client.force_login(cast["supervisor"])
    for records, count in (("valid", 6), ("satisfied", 4)):
        response = client.get(reverse("reports:survey_records"),
                              {"start": "2026-11-01", "end": "2026-11-30", "records": records})
        assert response.status_code == 200
        rows = list(response.context["page"].object_list)
        assert response.context["page"].paginator.count == count
        assert {a.question.section.item.code for a in rows} == {"customer_service", "cleaning"}


def test_the_xlsx_lists_the_overall_question_apart_from_the_items(campaign):
    import io

    from openpyxl import load_workbook

    from kefu.surveys.exports import results_xlsx

    sheet = load_workbook(io.BytesIO(results_xlsx(campaign=campaign))).worksheets[0]
    rows = [tuple(cell.value for cell in row[:5]) for row in sheet.iter_rows()]
    codes = [row[0] for row in rows]
    overall = rows[codes.index("overall")]
    assert overall[2:5] == (0.6667, 4, 6)
    question = rows[codes.index(f"q{_overall_question(campaign).pk}")]
    assert question == (f"q{_overall_question(campaign).pk}", "您对物业服务的总体满意度", 0.3333, 1, 3)


def test_the_xlsx_writes_formula_like_text_as_text(campaign):
    """Issue #15: the campaign name and question texts come from users; no formula, no failure on
    a control character."""
    import io

    from openpyxl import load_workbook

    from kefu.surveys.exports import results_xlsx
    from kefu.surveys.models import Campaign, Question

    Campaign.objects.filter(pk=campaign.pk).update(name="=1+1\x01")
    Question.objects.filter(pk=_overall_question(campaign).pk).update(text="@SUM(1,2)")
    campaign.refresh_from_db()
    sheet = load_workbook(io.BytesIO(results_xlsx(campaign=campaign))).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=1+1", "@SUM(1,2)"):
        assert (cells[text].data_type, cells[text].quotePrefix) == ("s", True)
