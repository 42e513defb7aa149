from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.callbacks.models import Callback
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.customers.models import Asset, Building, CustomerAsset
from kefu.customers.tests.factories import make_customer
from kefu.improvement.models import CorrectiveAction
from kefu.notifications.models import OutboundMessage
from kefu.surveys import selectors, services
from kefu.surveys.choices import CampaignStatus, QuestionKind, QuestionnaireStatus
from kefu.surveys.models import Answer, Campaign, Invitation, Question, Questionnaire, Response, Section
from kefu.surveys.tests.factories import answers_for, make_campaign, make_estate, make_questionnaire
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


# --- questionnaires ------------------------------------------------------------------------------

def test_published_questionnaire_is_frozen_and_a_new_version_is_a_copy(cast):
    q = make_questionnaire(actor=cast["supervisor"])
    assert q.status == QuestionnaireStatus.PUBLISHED
    section = q.sections.first()
    with pytest.raises(Conflict):
        services.section_add(actor_user=cast["supervisor"], questionnaire=q, title="新增")
    with pytest.raises(Conflict):
        services.question_add(actor_user=cast["supervisor"], section=section, kind="text", text="新问题")
    assert Section.objects.filter(questionnaire=q).count() == 6
    assert Question.objects.filter(section__questionnaire=q).count() == 9

    v2 = services.questionnaire_new_version(actor_user=cast["supervisor"], questionnaire=q)
    assert (v2.code, v2.version, v2.status) == (q.code, 2, QuestionnaireStatus.DRAFT)
    assert Question.objects.filter(section__questionnaire=v2).count() == 9
    services.section_add(actor_user=cast["supervisor"], questionnaire=v2, title="新增")
    with pytest.raises(Conflict):  # one draft at a time
        services.questionnaire_new_version(actor_user=cast["supervisor"], questionnaire=q)
    services.question_add(actor_user=cast["supervisor"], section=v2.sections.last(), kind="text", text="新问题")
    services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=v2)
    q.refresh_from_db()
    assert q.status == QuestionnaireStatus.RETIRED
    assert Question.objects.filter(section__questionnaire=q).count() == 9


def test_questionnaire_input_errors_name_the_field(cast):
    with pytest.raises(InvalidInput) as e:
        services.questionnaire_create(actor_user=cast["supervisor"], code="年度", title="x")
    assert list(e.value.fields) == ["code"]
    q = services.questionnaire_create(actor_user=cast["supervisor"], code="annual", title="年度调查")
    with pytest.raises(InvalidInput) as e:
        services.questionnaire_create(actor_user=cast["supervisor"], code="annual", title="again")
    assert list(e.value.fields) == ["code"]
    with pytest.raises(InvalidInput) as e:
        services.questionnaire_publish(actor_user=cast["supervisor"], questionnaire=q)
    assert list(e.value.fields) == ["questions"]
    section = services.section_add(actor_user=cast["supervisor"], questionnaire=q, title="总体")
    with pytest.raises(InvalidInput) as e:
        services.question_add(actor_user=cast["supervisor"], section=section, kind=QuestionKind.SINGLE, text="年龄",
                              options=["只有一个"])
    assert list(e.value.fields) == ["options"]
    with pytest.raises(InvalidInput) as e:
        services.question_add(actor_user=cast["supervisor"], section=section, kind="stars", text="x")
    assert list(e.value.fields) == ["kind"]
    assert Question.objects.filter(section=section).count() == 0
    q.refresh_from_db()
    assert q.status == QuestionnaireStatus.DRAFT


def test_only_managers_build_questionnaires(cast):
    for role in ("agent", "technician", "vendor", "clerk", "qa"):
        with pytest.raises(NotAllowed):
            services.questionnaire_create(actor_user=cast[role], code=f"x{role}", title="x")
    assert Questionnaire.objects.count() == 0


# --- campaigns -----------------------------------------------------------------------------------

def test_campaign_create_validates_and_writes_nothing(cast):
    q = make_questionnaire(actor=cast["supervisor"])
    site = make_estate(units=2)
    base = dict(actor_user=cast["supervisor"], name="调查", questionnaire=q, starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30), sites=[site])
    cases = [({"ends_on": date(2026, 10, 1)}, "ends_on"), ({"sites": []}, "sites"), ({"name": " "}, "name"),
             ({"target_rate": "abc"}, "target_rate"), ({"target_rate": "120"}, "target_rate"),
             ({"satisfied_min": 2}, "satisfied_min"), ({"population": "served"}, "served_from"),
             ({"population": "everyone"}, "population")]
    for change, field in cases:
        with pytest.raises(InvalidInput) as e:
            services.campaign_create(**{**base, **change})
        assert field in e.value.fields, change
    draft = services.questionnaire_new_version(actor_user=cast["supervisor"], questionnaire=q)
    with pytest.raises(InvalidInput) as e:
        services.campaign_create(**{**base, "questionnaire": draft})
    assert list(e.value.fields) == ["questionnaire"]
    with pytest.raises(NotAllowed):
        services.campaign_create(**{**base, "actor_user": cast["agent"]})
    assert Campaign.objects.count() == 0
    campaign = services.campaign_create(**{**base, "target_rate": "90"})
    assert campaign.target_rate == Decimal("0.9000")
    assert campaign.department == cast["supervisor"].staff.department


def test_open_freezes_one_invitation_per_unit_prefers_the_tenant_and_sends_links(cast):
    site = make_estate(units=4, buildings=2)
    unit = Asset.objects.filter(site=site).order_by("code").first()
    tenant = make_customer(name="租户", phones=["13911112222"])
    CustomerAsset.objects.create(customer=tenant, asset=unit, relation="tenant")
    empty = Asset.objects.create(kind="unit", code="EMPTY-1", site=site, building=Building.objects.filter(
        site=site).first())
    Asset.objects.create(kind="product", code="NOT-A-UNIT", site=site)
    campaign = make_campaign(actor=cast["supervisor"], site=site)
    invitations = {i.asset.code: i for i in Invitation.objects.filter(campaign=campaign).select_related("asset")}
    assert sorted(invitations) == sorted([*Asset.objects.filter(site=site, kind="unit").values_list("code", flat=True)])
    assert len(invitations) == 5
    assert invitations[unit.code].customer == tenant
    assert invitations[empty.code].customer is None
    assert campaign.building_codes.count() == 2
    assert campaign.status == CampaignStatus.OPEN
    messages = OutboundMessage.objects.order_by("id")
    assert messages.count() == 4  # the empty unit has nobody to send to
    assert {m.channel for m in messages} == {"sms"}
    assert invitations[unit.code].token in next(m.body for m in messages if m.to_address == "13911112222")
    with pytest.raises(Conflict):
        services.campaign_open(actor_user=cast["supervisor"], campaign=campaign)
    assert Invitation.objects.filter(campaign=campaign).count() == 5


def test_served_population_is_the_customers_of_orders_received_in_the_period(cast):
    a, b, c = (make_customer(name=n) for n in ("甲", "乙", "丙"))
    with time_machine.travel(datetime(2026, 10, 31, 23, 30, tzinfo=SH), tick=False):
        make_work_order(actor=cast["agent"], customer=a)  # the night before, local time
    with time_machine.travel(datetime(2026, 11, 1, 0, 10, tzinfo=SH), tick=False):
        make_work_order(actor=cast["agent"], customer=b)
        make_work_order(actor=cast["agent"], customer=b)
    with time_machine.travel(datetime(2026, 11, 30, 23, 50, tzinfo=SH), tick=False):
        make_work_order(actor=cast["agent"], customer=c)
    q = make_questionnaire(actor=cast["supervisor"])
    campaign = services.campaign_create(actor_user=cast["supervisor"], name="服务回访调查", questionnaire=q,
                                        starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 15), population="served",
                                        served_from=date(2026, 11, 1), served_to=date(2026, 11, 30))
    services.campaign_open(actor_user=cast["supervisor"], campaign=campaign, send_links=False)
    assert set(campaign.invitations.values_list("customer__name", flat=True)) == {"乙", "丙"}
    assert campaign.building_codes.count() == 0


def test_tag_population_is_the_customers_carrying_the_tag(cast):
    from kefu.customers.models import Customer

    vip, also_vip, plain, gone = (make_customer(name=n) for n in ("甲", "乙", "丙", "丁"))
    Customer.objects.filter(pk__in=[vip.pk, gone.pk]).update(tags=["VIP", "业主委员会"])
    Customer.objects.filter(pk=also_vip.pk).update(tags=["vip"])
    Customer.objects.filter(pk=plain.pk).update(tags=["租户"])
    Customer.objects.filter(pk=gone.pk).update(deleted_at=datetime(2026, 11, 1, tzinfo=SH))
    q = make_questionnaire(actor=cast["supervisor"])
    # a tag population needs its tag: refused on the field, nothing written
    with pytest.raises(InvalidInput) as error:
        services.campaign_create(actor_user=cast["supervisor"], name="VIP 调查", questionnaire=q,
                                 starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 15), population="tag", tag=" ")
    assert list(error.value.fields) == ["tag"]
    assert not Campaign.objects.exists()
    campaign = services.campaign_create(actor_user=cast["supervisor"], name="VIP 调查", questionnaire=q,
                                        starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 15), population="tag",
                                        tag="VIP")
    services.campaign_open(actor_user=cast["supervisor"], campaign=campaign, send_links=False)
    # tags match regardless of case; soft-deleted customers are not asked
    assert sorted(campaign.invitations.values_list("customer__name", flat=True)) == ["乙", "甲"]


# --- responses -----------------------------------------------------------------------------------

@time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=False)
def test_missing_required_answer_saves_nothing_and_names_the_question(cast):
    campaign = make_campaign(actor=cast["supervisor"])
    invitation = campaign.invitations.first()
    answers = answers_for(campaign, 5)
    security = Question.objects.get(section__questionnaire=campaign.questionnaire, section__item__code="security")
    answers[security.field_name] = ""
    nps = Question.objects.get(section__questionnaire=campaign.questionnaire, kind="nps")
    answers[nps.field_name] = "11"
    with pytest.raises(InvalidInput) as e:
        services.response_submit(invitation=invitation, channel="link", answers=answers)
    assert set(e.value.fields) == {security.field_name, nps.field_name}
    assert "您对安全秩序是否满意？" in e.value.fields[security.field_name][0]
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


@time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=False)
def test_a_link_works_once_and_dissatisfied_answers_get_one_follow_up(cast):
    campaign = make_campaign(actor=cast["supervisor"])
    first, second = campaign.invitations.order_by("id")[:2]
    scores = {"customer_service": 5, "security": 2, "cleaning": 1, "greenery": 4, "repairs": 3}
    response = services.response_submit(invitation=first, channel="link",
                                        answers=answers_for(campaign, scores, text="保安夜间巡逻少", improve=["1", "3"]))
    assert Answer.objects.filter(response=response).count() == 8  # the optional age question was skipped
    callback = Callback.objects.get(source="survey")
    assert callback.reference == f"survey:response:{response.pk}"
    assert callback.customer == first.customer
    assert "安全秩序" in callback.reason and "保洁服务" in callback.reason and "维修服务" not in callback.reason
    with pytest.raises(Conflict) as e:
        services.response_submit(invitation=first, channel="link", answers=answers_for(campaign, 5))
    assert e.value.code == "survey_used"
    assert Response.objects.count() == 1 and Callback.objects.count() == 1
    services.response_submit(invitation=second, channel="qr", answers=answers_for(campaign, 3))
    assert Callback.objects.count() == 1  # “basically satisfied” is not dissatisfied
    choices = selectors.campaign_results(campaign=campaign)["choices"]
    assert [o["count"] for o in choices[1]["options"]] == [1, 0, 1]


def test_expired_and_closed_campaigns_refuse_answers_but_paper_until_closed(cast):
    campaign = make_campaign(actor=cast["supervisor"], starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    a, b = campaign.invitations.order_by("id")[:2]
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        with pytest.raises(Conflict) as e:
            services.response_submit(invitation=a, channel="link", answers=answers_for(campaign, 5))
        assert e.value.code == "survey_expired"
        assert selectors.invitation_for_token(a.token).state == "expired"
        services.response_submit(invitation=a, channel="paper", answers=answers_for(campaign, 5),
                                 entered_by=cast["clerk"])
    with time_machine.travel(datetime(2026, 10, 30, 9, 0, tzinfo=SH), tick=False):
        assert selectors.invitation_for_token(b.token).state == "not_open"
    services.campaign_close(actor_user=cast["supervisor"], campaign=campaign, today=date(2026, 12, 2))
    with pytest.raises(Conflict):
        services.response_submit(invitation=b, channel="paper", answers=answers_for(campaign, 5))
    assert Response.objects.count() == 1
    assert selectors.invitation_for_token("nonsense").state == "unknown"


# --- closing, history, reminders -----------------------------------------------------------------

@time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=False)
def test_close_proposes_corrective_actions_for_items_below_target_and_history_follows(cast):
    q = make_questionnaire(actor=cast["supervisor"])
    first = make_campaign(actor=cast["supervisor"], questionnaire=q, name="上半年", starts_on=date(2026, 5, 1),
                          ends_on=date(2026, 11, 20))
    for i, invitation in enumerate(first.invitations.order_by("id")):
        # 6 units: cleaning 4 of 6 satisfied (66.67%), everything else 6 of 6.
        services.response_submit(invitation=invitation, channel="link",
                                 answers=answers_for(first, {"customer_service": 5, "security": 4,
                                                             "cleaning": 2 if i < 2 else 4, "greenery": 5,
                                                             "repairs": 5}))
    services.campaign_close(actor_user=cast["supervisor"], campaign=first, today=date(2026, 11, 21))
    notice = CorrectiveAction.objects.get()
    assert notice.reference == f"survey:{first.pk}:cleaning"
    assert notice.item_code == "cleaning"
    assert "66.7%" in notice.nonconformity and "4" in notice.nonconformity

    second = make_campaign(actor=cast["supervisor"], questionnaire=q, name="下半年", starts_on=date(2026, 11, 1),
                           ends_on=date(2026, 11, 30))
    for invitation in second.invitations.order_by("id")[:5]:
        services.response_submit(invitation=invitation, channel="link", answers=answers_for(second, 5))
    results = selectors.campaign_results(campaign=second)
    cleaning = next(i for i in results["items"] if i["code"] == "cleaning")
    assert (cleaning["rate"], cleaning["numerator"], cleaning["denominator"]) == (Decimal("1.0000"), 5, 5)
    assert cleaning["previous_rate"] == Decimal("0.6667")
    assert cleaning["response_rate"] == {"rate": Decimal("0.8333"), "numerator": 5, "denominator": 6}
    assert results["previous_campaign"]["id"] == first.pk
    services.campaign_close(actor_user=cast["supervisor"], campaign=second, today=date(2026, 12, 1))
    assert CorrectiveAction.objects.count() == 1
    assert selectors.item_rate_history("cleaning") == [
        {"campaign_id": first.pk, "campaign_name": "上半年", "closed_on": date(2026, 11, 21), "rate": 0.6667,
         "numerator": 4, "denominator": 6},
        {"campaign_id": second.pk, "campaign_name": "下半年", "closed_on": date(2026, 12, 1), "rate": 1.0,
         "numerator": 5, "denominator": 5}]
    assert selectors.item_rate_history("nothing") == []


def test_satisfied_min_three_counts_basically_satisfied(cast):
    campaign = make_campaign(actor=cast["supervisor"], satisfied_min=3, starts_on=date(2026, 1, 1),
                             ends_on=date(2099, 1, 1))
    for score, invitation in zip([3, 3, 2, 5], campaign.invitations.order_by("id"), strict=False):
        services.response_submit(invitation=invitation, channel="link", answers=answers_for(campaign, score))
    overall = selectors.campaign_results(campaign=campaign)["overall"]
    assert (overall["rate"], overall["numerator"], overall["denominator"]) == (Decimal("0.7500"), 15, 20)


def test_reminders_go_to_non_respondents_spaced_and_limited(cast):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=SH), tick=False):
        campaign = make_campaign(actor=cast["supervisor"], units=4)
        services.response_submit(invitation=campaign.invitations.order_by("id").first(), channel="link",
                                 answers=answers_for(campaign, 5))
    links = OutboundMessage.objects.count()
    assert links == 4
    start = datetime(2026, 11, 2, 10, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        assert services.reminders_send() == 0  # links went out yesterday
    with time_machine.travel(start + timedelta(days=3), tick=False):
        assert services.reminders_send() == 3
        assert services.reminders_send() == 0  # idempotent within the interval
    with time_machine.travel(start + timedelta(days=6), tick=False):
        assert services.reminders_send() == 3
    with time_machine.travel(start + timedelta(days=9), tick=False):
        assert services.reminders_send() == 0  # at most two reminders
    reminders = OutboundMessage.objects.order_by("id")[links:]
    assert len(reminders) == 6
    assert all("提醒" in m.subject or "Reminder" in m.subject for m in reminders)
    assert set(Invitation.objects.filter(campaign=campaign).values_list("reminders_sent", flat=True)) == {0, 2}


def test_demo_survey_is_a_closed_campaign_with_answers():
    from kefu.surveys.demo import create_demo_survey
    from kefu.workspace.demo import create_demo_org

    create_demo_org(customers=60)
    campaign = create_demo_survey()
    assert campaign.status == CampaignStatus.CLOSED
    results = selectors.campaign_results(campaign=campaign)
    assert results["population"] == 432
    assert 250 < results["responses"] < 350
    assert set(results["by_channel"]) == {"link", "qr", "paper"} and all(results["by_channel"].values())
    assert create_demo_survey() is None  # once
