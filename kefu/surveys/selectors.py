"""Reads of the surveys app: campaigns scoped to the actor, the results (the one place where
satisfaction and response rates are computed, see docs/surveys.md), free-text answers, tokens.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound, field_error
from kefu.org.choices import RoleCode, Visibility
from kefu.org.selectors import Actor, actor_for_user
from kefu.surveys import tokens
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


def _by_token(queryset: QuerySet, kind: str, token: str):
    """The row a link's token opens, or None: by its selector (indexed), the verifier compared in
    constant time; a link issued before ADR 0009 by the sha256 kept of it (indexed too)."""
    token = token or ""
    parts = tokens.split(token)
    if parts is not None:
        selector, verifier = parts
        row = queryset.filter(selector=selector).first()
        return row if row is not None and tokens.verify(kind, selector, verifier) else None
    digest = tokens.legacy_hash(token)
    row = queryset.filter(legacy_token_hash=digest).first()
    return row if row is not None and constant_time_compare(row.legacy_token_hash, digest) else None


def invitation_for_token(token: str, *, today=None) -> TokenState:
    invitation = _by_token(Invitation.objects.select_related("campaign__questionnaire", "asset", "customer")
                           .annotate(answered=Exists(Response.objects.filter(invitation=OuterRef("pk")))),
                           tokens.INVITATION, token)
    if invitation is None:
        return TokenState("unknown")
    if invitation.answered:
        return TokenState("used", invitation, invitation.campaign)
    return TokenState(campaign_accepts_answers(invitation.campaign, today=today), invitation, invitation.campaign)


def building_code_for_token(token: str, *, today=None) -> tuple[str, BuildingCode | None]:
    code = _by_token(BuildingCode.objects.select_related("campaign__questionnaire", "building__site"),
                     tokens.BUILDING, token)
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


def valid_answer_q(prefix: str = "") -> Q:
    """A valid answer (有效评价): a score to a 5-point scale question of a section tied to a
    service item. A scale question of a section without one (总体评价 "overall, how satisfied are
    you?") is no valid answer of any satisfaction rate: pooled with the items it would count the
    respondent's opinion twice and make the overall rate differ from the items shown beside it; it
    is reported on its own line (campaign_results' `general`; docs/surveys.md). `prefix` reaches
    the answer from another model (e.g. "answers__"). The one definition campaign_results and the
    service analysis' campaign figure both count."""
    return Q(**{f"{prefix}question__kind": QuestionKind.SCALE5, f"{prefix}score__isnull": False,
                f"{prefix}question__section__item__isnull": False})


def _item_counts(campaign: Campaign) -> dict[str, dict]:
    """Per service item code: satisfied answers, valid answers, respondents with a valid answer,
    and the distribution over the 5 points. Only valid answers (valid_answer_q) count."""
    rows = (Answer.objects.filter(valid_answer_q(), response__campaign=campaign)
            .values("question__section__item__code", "score")
            .annotate(n=Count("id")))
    respondents = dict(
        Answer.objects.filter(valid_answer_q(), response__campaign=campaign)
        .values("question__section__item__code").annotate(r=Count("response", distinct=True))
        .values_list("question__section__item__code", "r"))
    out: dict[str, dict] = {}
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
    campaign's rate; each 5-point question outside the service items on its own line (`general`,
    not pooled); NPS per recommendation question; counts per option of choice questions."""
    population = Invitation.objects.filter(campaign=campaign).count()
    responses = Response.objects.filter(campaign=campaign)
    response_count = responses.count()
    by_channel = dict(responses.values("channel").annotate(n=Count("id")).values_list("channel", "n"))
    counts = _item_counts(campaign)
    previous = previous_campaign(campaign) if with_previous else None
    prev_results = campaign_results(campaign=previous, with_previous=False) if previous else None
    prev_items = {i["code"]: i for i in prev_results["items"]} if prev_results else {}
    target = campaign.target_rate

    items_by_code = {i.code: i for i in ServiceItem.objects.filter(code__in=list(counts))}
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
        "general": _general_scale_questions(campaign),
        "nps": _nps(campaign),
        "choices": _choice_counts(campaign),
        "previous_campaign": ({"id": previous.pk, "name": previous.name, "closed_on": previous.closed_on}
                              if previous else None),
    }


def _general_scale_questions(campaign: Campaign) -> list[dict]:
    """Each 5-point question of a section without a service item (e.g. 总体评价), in questionnaire
    order: its own share of answers scoring at least `satisfied_min`, with the counts and the
    distribution. Shown beside the items, never pooled into the overall satisfaction rate
    (valid_answer_q says why)."""
    questions = [q for q in questions_of(campaign.questionnaire)
                 if q.kind == QuestionKind.SCALE5 and q.section.item_id is None]
    if not questions:
        return []
    tallies: dict[int, dict[str, int]] = {q.pk: {str(i): 0 for i in range(1, 6)} for q in questions}
    for question_id, score, n in (Answer.objects.filter(response__campaign=campaign, question__in=questions,
                                                        score__isnull=False)
                                  .values("question_id", "score").annotate(n=Count("id"))
                                  .values_list("question_id", "score", "n")):
        tallies[question_id][str(score)] = n
    out = []
    for q in questions:
        distribution = tallies[q.pk]
        satisfied = sum(n for score, n in distribution.items() if int(score) >= campaign.satisfied_min)
        out.append({"question_id": q.pk, "section": q.section.display_title, "text": q.display_text,
                    **_measure(satisfied, sum(distribution.values())), "distribution": distribution})
    return out


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
                    "rate": float(_rate(counts["satisfied"], counts["valid"])), "numerator": counts["satisfied"],  # type: ignore[arg-type]  # not None on this path (set or checked before)
                    "denominator": counts["valid"]})
    return out


# --- campaigns in a report period (kefu.reports: the service analysis' campaign figure) -----------

# The lists behind the figure: invitations (参评率's denominator), those answered (its numerator),
# valid answers (满意率's denominator) and the satisfied ones among them (its numerator).
SATISFACTION_RECORDS = ("invited", "responded", "valid", "satisfied")


def campaigns_ended_in_q(start, end) -> Q:
    """Campaigns whose answering window ended between the dates `start` and `end` (inclusive).

    The window ends on `closed_on` when the campaign was closed before its `ends_on`, else on
    `ends_on` (a campaign closed later, after paper forms were typed in, still belongs to the
    period of its end date). Drafts were never asked and never count."""
    early = Q(closed_on__isnull=False, closed_on__lt=F("ends_on"))
    on_time = Q(closed_on__isnull=True) | Q(closed_on__gte=F("ends_on"))
    return ~Q(status=CampaignStatus.DRAFT) & (
        (early & Q(closed_on__gte=start, closed_on__lte=end)) | (on_time & Q(ends_on__gte=start, ends_on__lte=end)))


def invitation_site_q(site_id: int, prefix: str = "") -> Q:
    """Invitations of a site: their unit is in the site (or, for a unit without a site, its
    building is). Invitations without a unit (served and tag populations) belong to no site."""
    return Q(**{f"{prefix}asset__site_id": site_id}) | Q(
        **{f"{prefix}asset__site__isnull": True, f"{prefix}building__site_id": site_id})


def _report_campaigns(*, actor: Actor, start, end, department_path: str = "") -> QuerySet[Campaign]:
    # Built on campaign_list_for_actor so a campaign the reader may not open is never counted.
    qs = campaign_list_for_actor(actor=actor).filter(campaigns_ended_in_q(start, end))
    if department_path:
        qs = qs.filter(department__path__startswith=department_path)
    return qs


def campaign_satisfaction(*, actor: Actor, start, end, site_id: int | None = None,
                          department_path: str = "") -> dict | None:
    """The survey campaigns whose answering window ended in [start, end] that the actor may see,
    each with its invitations, responses, valid and satisfied answers — restricted to one site's
    invitations when `site_id` is given — and the totals over them. One query, whatever the number
    of campaigns or answers. None when the actor may not read survey results.

    Per campaign the numbers are campaign_results' (population, responses, overall satisfied and
    valid answers with the campaign's `satisfied_min`); the totals pool the answers of all the
    campaigns, so a campaign with more answers weighs more."""
    if not may_view(actor):
        return None
    invitations = Invitation.objects.filter(campaign=OuterRef("pk"))
    responses = Response.objects.filter(campaign=OuterRef("pk"))
    answers = Answer.objects.filter(valid_answer_q(), response__campaign=OuterRef("pk"))
    if site_id:
        invitations = invitations.filter(invitation_site_q(site_id))
        responses = responses.filter(invitation_site_q(site_id, "invitation__"))
        answers = answers.filter(invitation_site_q(site_id, "response__invitation__"))

    def count(qs, column):
        return Coalesce(Subquery(qs.order_by().values(column).annotate(n=Count("id")).values("n")), 0)

    campaigns = (_report_campaigns(actor=actor, start=start, end=end, department_path=department_path)
                 .annotate(invited=count(invitations, "campaign"), responded=count(responses, "campaign"),
                           valid=count(answers, "response__campaign"),
                           satisfied=count(answers.filter(score__gte=OuterRef("satisfied_min")), "response__campaign"))
                 .values("id", "name", "status", "starts_on", "ends_on", "closed_on", "satisfied_min", "invited",
                         "responded", "valid", "satisfied"))
    # A campaign with no invitation in the scoped site is not that site's campaign.
    rows = [row for row in campaigns if row["invited"]]
    for row in rows:
        closed = row["closed_on"]
        row["window_end"] = closed if closed is not None and closed < row["ends_on"] else row["ends_on"]
    rows.sort(key=lambda row: (row["window_end"], row["id"]))
    totals = {key: sum(row[key] for row in rows) for key in ("invited", "responded", "valid", "satisfied")}
    return {"campaigns": rows, **totals}


def campaign_satisfaction_records(*, actor: Actor, start, end, records: str, site_id: int | None = None,
                                  department_path: str = "", campaign_id: int | None = None) -> QuerySet:
    """The rows behind campaign_satisfaction's numbers (same campaigns, site and conditions, so the
    list's count is the number): `invited` and `responded` are invitations, `valid` and `satisfied`
    answers. An unknown `records` raises ValueError."""
    if records not in SATISFACTION_RECORDS:
        raise ValueError(records)
    if not may_view(actor):
        return Answer.objects.none() if records in ("valid", "satisfied") else Invitation.objects.none()
    campaigns = _report_campaigns(actor=actor, start=start, end=end, department_path=department_path)
    if campaign_id:
        campaigns = campaigns.filter(pk=campaign_id)
    campaign_ids = campaigns.values("pk")
    if records in ("invited", "responded"):
        qs = Invitation.objects.filter(campaign__in=campaign_ids)
        if site_id:
            qs = qs.filter(invitation_site_q(site_id))
        if records == "responded":
            qs = qs.filter(response__isnull=False)
        return (qs.select_related("campaign", "asset", "building", "customer", "response")
                .order_by("campaign__ends_on", "campaign_id", "asset__code", "id"))
    qs = Answer.objects.filter(valid_answer_q(), response__campaign__in=campaign_ids)  # type: ignore[assignment]  # values of several types in one dict or variable
    if site_id:
        qs = qs.filter(invitation_site_q(site_id, "response__invitation__"))
    if records == "satisfied":
        qs = qs.filter(score__gte=F("response__campaign__satisfied_min"))  # type: ignore[misc]  # the variable holds a queryset of another model here
    return (qs.select_related("response__campaign", "response__invitation__asset", "response__invitation__customer",  # type: ignore[misc]  # the variable holds a queryset of another model here
                              "question__section__item")
            .order_by("response__campaign__ends_on", "response__campaign_id", "response__submitted_at",
                      "response_id", "question__section__position", "question__position", "id"))


def paper_invitation(*, actor_user, campaign: Campaign, unit_code: str = "", invitation_id=None) -> Invitation:
    """The invitation a paper form belongs to, found by unit code (or id) by a member of staff
    who may enter paper forms."""
    if not may_enter_paper(actor_for_user(actor_user)):
        raise NotAllowed(_("Your role may not enter paper survey forms."))
    qs = Invitation.objects.filter(campaign=campaign).select_related("asset", "customer")
    if invitation_id:
        invitation = qs.filter(pk=invitation_id).first()
    else:
        code = (unit_code or "").strip()
        if not code:
            raise field_error("unit", _("%(field)s: this field is required.") % {"field": "unit"})
        invitation = qs.filter(asset__code__iexact=code).first()
    if invitation is None:
        raise NotFound(_("unit: no such unit in this campaign."), fields={"unit": [
            _("unit: no such unit in this campaign.")]})
    return invitation


def customer_survey_answers(*, customer, limit: int = 10) -> list[Response]:
    """The customer's questionnaire responses with their scored answers (newest first)."""
    answers = Answer.objects.select_related("question").order_by("question__id")
    return list(Response.objects.filter(invitation__customer=customer).select_related("campaign")
                .prefetch_related(Prefetch("answers", queryset=answers)).order_by("-submitted_at")[:limit])
