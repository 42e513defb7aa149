"""Factories for surveys: a standard questionnaire, an estate of units with occupants, campaigns."""

import itertools
from datetime import date

from kefu.customers.models import Asset, Building, Site
from kefu.customers.tests.factories import make_customer
from kefu.surveys import services
from kefu.surveys.choices import QuestionKind
from kefu.surveys.models import Campaign, Question, Questionnaire, ServiceItem

_seq = itertools.count(1)

ITEM_CODES = ["customer_service", "security", "cleaning", "greenery", "repairs"]


def make_questionnaire(*, actor, code: str = "", publish: bool = True, items=ITEM_CODES,
                       optional_items=()) -> Questionnaire:
    """One scale question per service item, then NPS, a single and a multiple choice and an
    optional free-text question."""
    n = next(_seq)
    q = services.questionnaire_create(actor_user=actor, code=code or f"q{n}", title="物业服务满意度调查",
                                      title_en="Property service satisfaction survey")
    for item_code in items:
        item = ServiceItem.objects.get(code=item_code)
        section = services.section_add(actor_user=actor, questionnaire=q, title=item.name, title_en=item.name_en,
                                       item=item)
        services.question_add(actor_user=actor, section=section, kind=QuestionKind.SCALE5,
                              text=f"您对{item.name}是否满意？", text_en=f"How satisfied are you with {item.name_en}?",
                              required=item_code not in optional_items)
    general = services.section_add(actor_user=actor, questionnaire=q, title="总体评价", title_en="Overall")
    services.question_add(actor_user=actor, section=general, kind=QuestionKind.NPS,
                          text="您向亲友推荐我们的可能性有多大？", text_en="How likely are you to recommend us?")
    services.question_add(actor_user=actor, section=general, kind=QuestionKind.SINGLE, text="您的年龄段",
                          text_en="Your age group", required=False,
                          options=[{"value": "young", "label": "40岁以下", "label_en": "under 40"},
                                   {"value": "old", "label": "40岁及以上", "label_en": "40 and over"}])
    services.question_add(actor_user=actor, section=general, kind=QuestionKind.MULTIPLE,
                          text="您最希望改进哪些方面？", text_en="What should we improve?", required=False,
                          options=["停车", "电梯", "门禁"])
    services.question_add(actor_user=actor, section=general, kind=QuestionKind.TEXT, text="其他意见和建议",
                          text_en="Other comments", required=False)
    if publish:
        q = services.questionnaire_publish(actor_user=actor, questionnaire=q)
    return q


def make_estate(*, units: int, buildings: int = 3, code: str = "") -> Site:
    """A site with `units` units spread over `buildings` buildings, each with an owner."""
    n = next(_seq)
    site = Site.objects.create(code=code or f"SV{n}", name=f"调查小区{n}", unit_count=units)
    blds = [Building.objects.create(site=site, code=str(b), name=f"{b}栋") for b in range(1, buildings + 1)]
    for i in range(units):
        building = blds[i % buildings]
        asset = Asset.objects.create(kind="unit", code=f"{site.code}-{building.code}-{i + 1:03d}", site=site,
                                     building=building, floor=1)
        make_customer(name=f"业主{n}-{i + 1}", phones=[f"139{n:04d}{i:04d}"], assets=[asset])
    return site


def make_campaign(*, actor, questionnaire=None, site=None, name: str = "", open_it: bool = True,
                  starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), **kwargs) -> Campaign:
    questionnaire = questionnaire or make_questionnaire(actor=actor)
    site = site or make_estate(units=kwargs.pop("units", 6))
    campaign = services.campaign_create(actor_user=actor, name=name or f"{starts_on.year}年满意度调查",
                                        questionnaire=questionnaire, starts_on=starts_on, ends_on=ends_on,
                                        sites=[site], **kwargs)
    if open_it:
        campaign = services.campaign_open(actor_user=actor, campaign=campaign)
    return campaign


def answers_for(campaign: Campaign, scores: dict[str, int] | int, *, nps: int = 9, text: str = "",
                age: str = "", improve=()) -> dict:
    """Form-shaped answers: `scores` per item code (or one score for every item); a scale question
    of a section without a service item takes the score under the key "general"."""
    out = {}
    for question in Question.objects.filter(section__questionnaire=campaign.questionnaire).select_related(
            "section__item"):
        if question.kind == QuestionKind.SCALE5:
            code = question.section.item.code if question.section.item_id else "general"  # type: ignore[union-attr]  # not None on this path (set or checked before)
            score = scores if isinstance(scores, int) else scores.get(code)
            out[question.field_name] = "" if score is None else str(score)
        elif question.kind == QuestionKind.NPS:
            out[question.field_name] = str(nps)
        elif question.kind == QuestionKind.TEXT:
            out[question.field_name] = text
        elif question.kind == QuestionKind.SINGLE:
            out[question.field_name] = age
        elif question.kind == QuestionKind.MULTIPLE:
            out[question.field_name] = list(improve)  # type: ignore[assignment]  # values of several types in one dict or variable
    return out
