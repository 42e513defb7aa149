"""Demo data: one closed satisfaction survey over the demo estate (翠湖花园), answered through
links, QR codes and paper, so the results page, exports and corrective-action proposals have
something to show. Needs `workspace.demo.create_demo_org` first; deterministic for a seed."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kefu.customers.models import Site
from kefu.surveys import services
from kefu.surveys.choices import QuestionKind
from kefu.surveys.models import Campaign, Question, ServiceItem

DEMO_CAMPAIGN = "2026年业户满意度调查（演示）"
# Most answers satisfied; cleaning and repairs a little weaker, so they fall below 95 %.
WEIGHTS = {"customer_service": [1, 1, 2, 30, 66], "security": [0, 1, 2, 35, 62], "cleaning": [2, 4, 8, 40, 46],
           "greenery": [0, 1, 3, 40, 56], "repairs": [3, 5, 10, 42, 40]}
COMMENTS = ["电梯高峰期等待时间太长", "保洁阿姨很负责，楼道很干净", "地库照明不足，希望尽快维修", "绿化修剪及时，环境很好",
            "报修后师傅上门很快", "快递柜不够用", "夜间巡逻可以再加强", "希望增加充电桩"]


@transaction.atomic
def create_demo_survey(*, seed: int = 5, response_share: float = 0.7) -> Campaign | None:
    """One questionnaire (all question kinds) and one closed campaign with answers; None when the
    demo estate or supervisor is missing, or the campaign exists already."""
    site = Site.objects.filter(code="CH").first()
    supervisor = get_user_model().objects.filter(username="supervisor").first()
    if site is None or supervisor is None or Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        return None
    rng = random.Random(seed)
    questionnaire = services.questionnaire_create(
        actor_user=supervisor, code="demo-property", title="物业服务满意度调查表", title_en="Property service survey",
        intro="感谢您抽出三分钟填写本问卷，您的意见是我们改进的方向。",
        intro_en="Thank you for taking three minutes: your answers tell us what to improve.")
    for item in ServiceItem.objects.filter(code__in=WEIGHTS):
        section = services.section_add(actor_user=supervisor, questionnaire=questionnaire, title=item.name,
                                       title_en=item.name_en, item=item)
        services.question_add(actor_user=supervisor, section=section, kind=QuestionKind.SCALE5,
                              text=f"您对{item.name}的总体评价", text_en=f"Your overall view of {item.name_en}")
    general = services.section_add(actor_user=supervisor, questionnaire=questionnaire, title="总体", title_en="Overall")
    services.question_add(actor_user=supervisor, section=general, kind=QuestionKind.NPS,
                          text="您向亲友推荐本小区物业的可能性", text_en="How likely are you to recommend us?")
    services.question_add(actor_user=supervisor, section=general, kind=QuestionKind.MULTIPLE, required=False,
                          text="您最希望改进的方面", text_en="What should we improve first?",
                          options=[{"value": "lift", "label": "电梯", "label_en": "Lifts"},
                                   {"value": "parking", "label": "停车", "label_en": "Parking"},
                                   {"value": "security", "label": "门禁安防", "label_en": "Access control"}])
    services.question_add(actor_user=supervisor, section=general, kind=QuestionKind.TEXT, required=False,
                          text="其他意见和建议", text_en="Other comments")
    questionnaire = services.questionnaire_publish(actor_user=supervisor, questionnaire=questionnaire)

    today = timezone.localdate()
    campaign = services.campaign_create(actor_user=supervisor, name=DEMO_CAMPAIGN, questionnaire=questionnaire,
                                        starts_on=today - timedelta(days=30), ends_on=today, sites=[site])
    services.campaign_open(actor_user=supervisor, campaign=campaign, send_links=False)
    questions = list(Question.objects.filter(section__questionnaire=questionnaire).select_related("section__item"))
    now = timezone.now()
    for n, invitation in enumerate(campaign.invitations.order_by("id")):
        if rng.random() > response_share:
            continue
        answers = {}
        for q in questions:
            if q.kind == QuestionKind.SCALE5:
                answers[q.field_name] = rng.choices(range(1, 6), weights=WEIGHTS[q.section.item.code])[0]  # type: ignore[union-attr]  # not None on this path (set or checked before)
            elif q.kind == QuestionKind.NPS:
                answers[q.field_name] = rng.choices(range(11), weights=[1] * 6 + [2, 4, 8, 12, 12])[0]
            elif q.kind == QuestionKind.MULTIPLE:
                answers[q.field_name] = rng.sample(["lift", "parking", "security"], k=rng.choice([0, 1, 1, 2]))  # type: ignore[assignment]  # values of several types in one dict or variable
            elif q.kind == QuestionKind.TEXT and rng.random() < 0.15:
                answers[q.field_name] = rng.choice(COMMENTS)  # type: ignore[assignment]  # values of several types in one dict or variable
        channel = ["link", "link", "qr", "paper"][n % 4]
        services.response_submit(invitation=invitation, channel=channel, answers=answers,
                                 entered_by=supervisor if channel == "paper" else None,
                                 now=now - timedelta(minutes=rng.randrange(30 * 24 * 60)))
    return services.campaign_close(actor_user=supervisor, campaign=campaign, today=today)
