"""Reads of the surveys app: campaigns scoped to the actor, the results (the one place where
satisfaction and response rates are computed, see docs/surveys.md), free-text answers, tokens.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.choices import RoleCode, Visibility
from kefu.org.selectors import Actor
from kefu.surveys.choices import CampaignStatus, QuestionKind, QuestionnaireStatus
from kefu.surveys.models import (
    Answer,
    BuildingCode,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Response,
    ServiceItem,
)

# Who reads survey results: the service center's staff. Technicians and vendors are judged by
# the surveys and do not see them.
VIEW_ROLES = {RoleCode.AGENT, RoleCode.STEWARD, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR,
              RoleCode.QA, RoleCode.CLERK, RoleCode.ADMINISTRATOR}
# Who builds questionnaires and runs campaigns.
MANAGE_ROLES = {RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR}
# Who types in paper forms.
ENTRY_ROLES = {RoleCode.AGENT, RoleCode.STEWARD, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.CLERK,
               RoleCode.ADMINISTRATOR}

RATE_PLACES = Decimal("0.0001")


def may_view(actor: Actor | None) -> bool:
    return actor is not None and actor.role in VIEW_ROLES


def may_manage(actor: Actor | None) -> bool:
    return actor is not None and actor.role in MANAGE_ROLES


def may_enter_paper(actor: Actor | None) -> bool:
    return actor is not None and actor.role in ENTRY_ROLES


def _campaign_scope(actor: Actor) -> Q:
    """Campaigns of the actor's department, of the departments above it (the company's survey)
    and below it. Roles that see all work orders see all campaigns."""
    if actor.visibility == Visibility.ALL or actor.role == RoleCode.ADMINISTRATOR:
        return Q()
    path = actor.department_path or "/-/"
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    return Q(department__path__startswith=path) | Q(department__path__in=ancestors)


def campaign_list_for_actor(*, actor: Actor) -> QuerySet[Campaign]:
    if not may_view(actor):
        return Campaign.objects.none()
    # Subqueries, not two joined COUNTs: joining invitations and responses would multiply rows.
    population = (Invitation.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
                  .annotate(n=Count("id")).values("n"))
    answered = (Response.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
                .annotate(n=Count("id")).values("n"))
    return (Campaign.objects.filter(_campaign_scope(actor))
            .select_related("questionnaire", "department")
            .annotate(population_count=Coalesce(Subquery(population), 0),
                      response_count=Coalesce(Subquery(answered), 0))
            .order_by("-ends_on", "-id"))


def campaign_get_for_actor(*, actor: Actor, pk) -> Campaign:
    if not may_view(actor):
        raise NotFound(_("Survey campaign not found."))
    campaign = (Campaign.objects.filter(_campaign_scope(actor)).select_related("questionnaire", "department")
                .filter(pk=pk).first())
    if campaign is None:
        raise NotFound(_("Survey campaign not found."))
    return campaign


def questionnaire_list() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.annotate(question_count=Count("sections__questions")).order_by("code", "-version")


def questionnaire_with_questions(*, pk) -> Questionnaire:
    questionnaire = (Questionnaire.objects.prefetch_related(
        Prefetch("sections__questions", queryset=Question.objects.order_by("position", "id")),
        "sections__item").filter(pk=pk).first())
    if questionnaire is None:
        raise NotFound(_("Questionnaire not found."))
    return questionnaire


def published_questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(status=QuestionnaireStatus.PUBLISHED).order_by("code", "-version")


def service_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.order_by("position", "code")


# --- tokens --------------------------------------------------------------------------------------

@dataclass
class TokenState:
    """What a respondent's link leads to: `ok`, `used`, `expired`, `not_open` or `unknown`."""

    state: str
    invitation: Invitation | None = None
    campaign: Campaign | None = None


def campaign_accepts_answers(campaign: Campaign, *, today=None) -> str:
    today = today or timezone.localdate()
    if campaign.status == CampaignStatus.DRAFT or today < campaign.starts_on:
        return "not_open"
    if campaign.status == CampaignStatus.CLOSED or today > campaign.ends_on:
        return "expired"
    return "ok"


def invitation_for_token(token: str, *, today=None) -> TokenState:
    invitation = (Invitation.objects.select_related("campaign__questionnaire", "asset", "customer")
                  .annotate(answered=Exists(Response.objects.filter(invitation=OuterRef("pk"))))
                  .filter(token=token or "-").first())
    if invitation is None:
        return TokenState("unknown")
    if invitation.answered:
        return TokenState("used", invitation, invitation.campaign)
    return TokenState(campaign_accepts_answers(invitation.campaign, today=today), invitation, invitation.campaign)


def building_code_for_token(token: str, *, today=None) -> tuple[str, BuildingCode | None]:
    code = (BuildingCode.objects.select_related("campaign__questionnaire", "building__site")
            .filter(token=token or "-").first())
    if code is None:
        return "unknown", None
    return campaign_accepts_answers(code.campaign, today=today), code


def open_units_of_building(*, code: BuildingCode) -> QuerySet[Invitation]:
    """Units of the building in the campaign that have not answered yet (the QR form's choices)."""
    return (Invitation.objects.filter(campaign=code.campaign, building=code.building, response__isnull=True)
            .select_related("asset").order_by("asset__code"))


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(Question.objects.filter(section__questionnaire=questionnaire)
                .select_related("section__item").order_by("section__position", "section_id", "position", "id"))


# --- results -------------------------------------------------------------------------------------

def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _measure(numerator: int, denominator: int) -> dict:
    return {"rate": _rate(numerator, denominator), "numerator": numerator, "denominator": denominator}


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The last closed campaign that ended before this one ended (any questionnaire version)."""
    return (Campaign.objects.filter(status=CampaignStatus.CLOSED, ends_on__lt=campaign.ends_on)
            .exclude(pk=campaign.pk).order_by("-ends_on", "-id").first())


def _item_counts(campaign: Campaign) -> dict[str | None, dict]:
    """Per service item code: satisfied answers, valid answers, respondents with a valid answer,
    and the distribution over the 5 points. Only scale questions count."""
    rows = (Answer.objects.filter(response__campaign=campaign, question__kind=QuestionKind.SCALE5,
                                  score__isnull=False)
            .values("question__section__item__code", "score")
            .annotate(n=Count("id")))
    respondents = dict(
        Answer.objects.filter(response__campaign=campaign, question__kind=QuestionKind.SCALE5, score__isnull=False)
        .values("question__section__item__code").annotate(r=Count("response", distinct=True))
        .values_list("question__section__item__code", "r"))
    out: dict[str | None, dict] = {}
    for row in rows:
        code = row["question__section__item__code"]
        entry = out.setdefault(code, {"satisfied": 0, "valid": 0, "respondents": respondents.get(code, 0),
                                      "distribution": {str(i): 0 for i in range(1, 6)}})
        entry["valid"] += row["n"]
        if row["score"] >= campaign.satisfied_min:
            entry["satisfied"] += row["n"]
        entry["distribution"][str(row["score"])] = row["n"]
    return out


def campaign_results(*, campaign: Campaign, with_previous: bool = True) -> dict:
    """All numbers of a campaign (definitions in docs/surveys.md): population, responses and
    response rate (参评率); per service item and overall the satisfaction rate (满意率) with its
    numerator and denominator, the item's own response rate, the target and the previous
    campaign's rate; NPS per recommendation question; counts per option of choice questions."""
    population = Invitation.objects.filter(campaign=campaign).count()
    responses = Response.objects.filter(campaign=campaign)
    response_count = responses.count()
    by_channel = dict(responses.values("channel").annotate(n=Count("id")).values_list("channel", "n"))
    counts = _item_counts(campaign)
    previous = previous_campaign(campaign) if with_previous else None
    prev_results = campaign_results(campaign=previous, with_previous=False) if previous else None
    prev_items = {i["code"]: i for i in prev_results["items"]} if prev_results else {}
    target = campaign.target_rate

    item_codes = [c for c in counts if c is not None]
    items_by_code = {i.code: i for i in ServiceItem.objects.filter(code__in=item_codes)}
    items = []
    for item in sorted(items_by_code.values(), key=lambda i: (i.position, i.code)):
        c = counts[item.code]
        measure = _measure(c["satisfied"], c["valid"])
        prev = prev_items.get(item.code)
        items.append({
            "code": item.code, "name": item.display_name, **measure,
            "response_rate": _measure(c["respondents"], population),
            "target": target,
            "meets_target": measure["rate"] is not None and measure["rate"] >= target,
            "previous_rate": prev["rate"] if prev else None,
            "distribution": c["distribution"],
        })
    satisfied = sum(c["satisfied"] for c in counts.values())
    valid = sum(c["valid"] for c in counts.values())
    overall = _measure(satisfied, valid)
    overall.update(target=target, meets_target=overall["rate"] is not None and overall["rate"] >= target,
                   previous_rate=prev_results["overall"]["rate"] if prev_results else None)
    return {
        "campaign_id": campaign.pk,
        "satisfied_min": campaign.satisfied_min,
        "population": population,
        "responses": response_count,
        "response_rate": _measure(response_count, population),
        "by_channel": {k: by_channel.get(k, 0) for k in ("link", "qr", "paper")},
        "overall": overall,
        "items": items,
        "nps": _nps(campaign),
        "choices": _choice_counts(campaign),
        "previous_campaign": ({"id": previous.pk, "name": previous.name, "closed_on": previous.closed_on}
                              if previous else None),
    }


def _nps(campaign: Campaign) -> list[dict]:
    rows = (Answer.objects.filter(response__campaign=campaign, question__kind=QuestionKind.NPS, score__isnull=False)
            .values("question_id").annotate(
                n=Count("id"), promoters=Count("id", filter=Q(score__gte=9)),
                detractors=Count("id", filter=Q(score__lte=6))))
    questions = {q.pk: q for q in Question.objects.filter(pk__in=[r["question_id"] for r in rows])}
    out = []
    for row in rows:
        score = round((row["promoters"] - row["detractors"]) * 100 / row["n"], 1) if row["n"] else None
        out.append({"question_id": row["question_id"], "text": questions[row["question_id"]].display_text,
                    "answers": row["n"], "promoters": row["promoters"], "detractors": row["detractors"],
                    "score": score})
    return sorted(out, key=lambda r: r["question_id"])


def _choice_counts(campaign: Campaign) -> list[dict]:
    questions = [q for q in questions_of(campaign.questionnaire)
                 if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)]
    if not questions:
        return []
    tallies: dict[int, dict[str, int]] = {q.pk: {} for q in questions}
    for question_id, chosen in (Answer.objects.filter(response__campaign=campaign, question__in=questions)
                                .values_list("question_id", "choices")):
        for value in chosen or []:
            tallies[question_id][str(value)] = tallies[question_id].get(str(value), 0) + 1
    return [{"question_id": q.pk, "text": q.display_text,
             "options": [{"value": v, "label": label, "count": tallies[q.pk].get(v, 0)}
                         for v, label in q.option_labels()]} for q in questions]


def text_answers(*, campaign: Campaign, q: str = "") -> QuerySet[Answer]:
    """Free-text answers of a campaign, newest first, optionally containing `q`."""
    qs = (Answer.objects.filter(response__campaign=campaign, question__kind=QuestionKind.TEXT)
          .exclude(text="").select_related("question__section__item", "response__invitation__asset")
          .order_by("-response__submitted_at", "-id"))
    if q.strip():
        qs = qs.filter(text__icontains=q.strip())
    return qs


def non_respondents(*, campaign: Campaign) -> QuerySet[Invitation]:
    return (Invitation.objects.filter(campaign=campaign, response__isnull=True)
            .select_related("asset", "customer").prefetch_related("customer__phones").order_by("asset__code", "id"))


def item_rate_history(item_code: str) -> list[dict]:
    """One service item's satisfaction rate in every closed campaign that asked about it, oldest
    first: [{campaign_id, campaign_name, closed_on, rate, numerator, denominator}] (rate 0–1)."""
    campaigns = (Campaign.objects.filter(status=CampaignStatus.CLOSED,
                                         questionnaire__sections__item__code=item_code)
                 .distinct().order_by("closed_on", "id"))
    out = []
    for campaign in campaigns:
        counts = _item_counts(campaign).get(item_code)
        if not counts or not counts["valid"]:
            continue
        out.append({"campaign_id": campaign.pk, "campaign_name": campaign.name, "closed_on": campaign.closed_on,
                    "rate": float(_rate(counts["satisfied"], counts["valid"])), "numerator": counts["satisfied"],
                    "denominator": counts["valid"]})
    return out
