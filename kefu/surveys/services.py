"""Every write of the surveys app: questionnaires and their versions, campaigns (open, close),
responses from links, QR codes and paper forms, and reminders through the outbox.

Side effects owned by other apps are called explicitly and lazily, so this app works while
they are absent: a follow-up callback for every dissatisfied respondent
(`callbacks.services.callback_create_follow_up`) and a corrective action proposal for every
item of a closed campaign below target (`improvement.services.corrective_action_propose`).
"""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, field_error
from kefu.customers.choices import AssetKind, AssetRelation
from kefu.customers.models import Asset, Customer, CustomerAsset
from kefu.org.selectors import actor_for_user
from kefu.surveys import selectors
from kefu.surveys.choices import (
    DISSATISFIED_MAX,
    CampaignStatus,
    Population,
    QuestionKind,
    QuestionnaireStatus,
    ResponseChannel,
)
from kefu.surveys.models import (
    Answer,
    BuildingCode,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Response,
    Section,
    ServiceItem,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
# Which occupant of a unit is asked: the one living there first.
RELATION_PREFERENCE = [AssetRelation.TENANT, AssetRelation.OWNER, AssetRelation.FAMILY, AssetRelation.CONTACT,
                       AssetRelation.HOLDER]


def _required(field: str) -> InvalidInput:
    return field_error(field, _("%(field)s: this field is required.") % {"field": field})


def _text(field: str, value, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise _required(field)
    if len(value) > max_length:
        raise field_error(field, _("%(field)s: at most %(max)s characters.") % {"field": field, "max": max_length})
    return value


def _manager(actor_user):
    actor = actor_for_user(actor_user)
    if not selectors.may_manage(actor):
        raise NotAllowed(_("Your role may not manage satisfaction surveys."))
    return actor


def public_url(name: str, token: str) -> str:
    base = settings.KEFU_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse(name, args=[token])


# --- questionnaires ------------------------------------------------------------------------------

@transaction.atomic
def questionnaire_create(*, actor_user, code: str, title: str, title_en: str = "", intro: str = "",
                         intro_en: str = "") -> Questionnaire:
    """Start version 1 of a new questionnaire, as a draft."""
    _manager(actor_user)
    code = _text("code", code, max_length=40)
    if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise field_error("code", _("code: use Latin letters, digits, “-” and “_” only."))
    if Questionnaire.objects.filter(code=code).exists():
        raise field_error("code", _("code: a questionnaire with this code exists; make a new version of it."))
    return Questionnaire.objects.create(
        code=code, version=1, title=_text("title", title, max_length=200),
        title_en=_text("title_en", title_en, max_length=200, required=False),
        intro=_text("intro", intro, max_length=MAX_TEXT, required=False),
        intro_en=_text("intro_en", intro_en, max_length=MAX_TEXT, required=False))


def _draft(questionnaire: Questionnaire) -> None:
    if questionnaire.is_frozen:
        raise Conflict(_("This questionnaire version is published and can no longer change; make a new version."))


@transaction.atomic
def section_add(*, actor_user, questionnaire: Questionnaire, title: str, title_en: str = "",
                item: ServiceItem | None = None) -> Section:
    """Append a section (usually one per service item) to a draft questionnaire."""
    _manager(actor_user)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _draft(questionnaire)
    position = (questionnaire.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    return Section.objects.create(questionnaire=questionnaire, item=item, title=_text("title", title, max_length=200),
                                  title_en=_text("title_en", title_en, max_length=200, required=False),
                                  position=position)


def _clean_options(kind: str, options) -> list[dict]:
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    cleaned, seen = [], set()
    for i, option in enumerate(options or [], start=1):
        if isinstance(option, str):
            option = {"label": option}
        if not isinstance(option, dict):
            raise field_error("options", _("options: each option needs a label."))
        label = str(option.get("label") or "").strip()
        if not label:
            continue
        value = str(option.get("value") or i).strip()[:40]
        if value in seen:
            raise field_error("options", _("options: two options have the value “%(value)s”.") % {"value": value})
        seen.add(value)
        cleaned.append({"value": value, "label": label[:200], "label_en": str(option.get("label_en") or "")[:200]})
    if len(cleaned) < 2:
        raise field_error("options", _("options: a choice question needs at least two options."))
    return cleaned


@transaction.atomic
def question_add(*, actor_user, section: Section, kind: str, text: str, text_en: str = "", required: bool = True,
                 options=None) -> Question:
    """Append a question to a section of a draft questionnaire."""
    _manager(actor_user)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=section.questionnaire_id)
    _draft(questionnaire)
    if kind not in QuestionKind.values:
        raise field_error("kind", _("kind: choose one of the question kinds."))
    position = (section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    return Question.objects.create(section=section, kind=kind, text=_text("text", text, max_length=500),
                                   text_en=_text("text_en", text_en, max_length=500, required=False),
                                   required=bool(required), options=_clean_options(kind, options), position=position)


def _question_of_draft(question: Question) -> tuple[Question, list[Question]]:
    """The question, locked with its questionnaire, and its section's questions in order.

    The rule of every edit: only a draft changes. Campaigns use published versions only, so a
    questionnaire a campaign has started (and answers refer to) is frozen: refused, 409."""
    section = Section.objects.filter(pk=question.section_id).first()
    if section is None:
        raise NotFound(_("Question not found."))
    questionnaire = Questionnaire.objects.select_for_update().get(pk=section.questionnaire_id)
    _draft(questionnaire)
    siblings = list(Question.objects.filter(section_id=section.pk).order_by("position", "id"))
    current = next((q for q in siblings if q.pk == question.pk), None)
    if current is None:
        raise NotFound(_("Question not found."))
    return current, siblings


def _renumber(rows: list[Question] | list[Section]) -> None:
    """Positions 1…n in the given order (questions of a section, or sections of a questionnaire);
    only the rows whose position changes are written."""
    changed = []
    for position, row in enumerate(rows, start=1):
        if row.position != position:  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
            row.position = position  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see


def _move_one_place(siblings: list, item, direction: str, *, first: str, last: str) -> None:
    """Swap `item` with its neighbour up or down and renumber 1…n; 400 naming `direction` past
    either end (`first` / `last`: the message)."""
    index = siblings.index(item)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        raise field_error("direction", first if direction == "up" else last)
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)


@transaction.atomic
def question_move(*, actor_user, question: Question, direction: str) -> Question:
    """Move a question of a draft questionnaire one place up or down within its section."""
    _manager(actor_user)
    if direction not in ("up", "down"):
        raise field_error("direction", _("direction: up or down."))
    question, siblings = _question_of_draft(question)
    _move_one_place(siblings, question, direction,
                    first=_("direction: this is already the first question of its section."),
                    last=_("direction: this is already the last question of its section."))
    return question


@transaction.atomic
def question_delete(*, actor_user, question: Question) -> None:
    """Delete a question of a draft questionnaire; the rest of its section closes up (1…n)."""
    _manager(actor_user)
    question, siblings = _question_of_draft(question)
    if Answer.objects.filter(question=question).exists():  # a draft has none; never lose answers
        raise Conflict(_("This question has answers and cannot be deleted; make a new version."))
    Question.objects.filter(pk=question.pk).delete()
    _renumber([q for q in siblings if q.pk != question.pk])


def _section_of_draft(section: Section) -> tuple[Section, list[Section]]:
    """The section, locked with its questionnaire (only a draft changes, as for questions), and
    the questionnaire's sections in order."""
    questionnaire_id = Section.objects.filter(pk=section.pk).values_list("questionnaire_id", flat=True).first()
    if questionnaire_id is None:
        raise NotFound(_("Section not found."))
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    _draft(questionnaire)
    siblings = list(Section.objects.filter(questionnaire_id=questionnaire.pk).order_by("position", "id"))
    current = next((s for s in siblings if s.pk == section.pk), None)
    if current is None:
        raise NotFound(_("Section not found."))
    return current, siblings


@transaction.atomic
def section_move(*, actor_user, section: Section, direction: str) -> Section:
    """Move a section of a draft questionnaire one place up or down; its questions go with it."""
    _manager(actor_user)
    if direction not in ("up", "down"):
        raise field_error("direction", _("direction: up or down."))
    section, siblings = _section_of_draft(section)
    _move_one_place(siblings, section, direction, first=_("direction: this is already the first section."),
                    last=_("direction: this is already the last section."))
    return section


@transaction.atomic
def section_delete(*, actor_user, section: Section) -> None:
    """Delete a section of a draft questionnaire with its questions; the other sections close up
    (1…n). The service item it was tied to stays (other versions and campaigns rate it)."""
    _manager(actor_user)
    section, siblings = _section_of_draft(section)
    if Answer.objects.filter(question__section=section).exists():  # a draft has none; never lose answers
        raise Conflict(_("This section has questions with answers and cannot be deleted; make a new version."))
    Question.objects.filter(section=section).delete()
    Section.objects.filter(pk=section.pk).delete()
    _renumber([s for s in siblings if s.pk != section.pk])


@transaction.atomic
def questionnaire_publish(*, actor_user, questionnaire: Questionnaire) -> Questionnaire:
    """Freeze a draft so campaigns can use it; earlier published versions of the code retire."""
    _manager(actor_user)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _draft(questionnaire)
    if not Question.objects.filter(section__questionnaire=questionnaire).exists():
        raise field_error("questions", _("questions: add at least one question before publishing."))
    Questionnaire.objects.filter(code=questionnaire.code, status=QuestionnaireStatus.PUBLISHED).update(
        status=QuestionnaireStatus.RETIRED)
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["status", "published_at"])
    return questionnaire


@transaction.atomic
def questionnaire_new_version(*, actor_user, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire into the next version, as a draft to edit; answers collected with the
    old version keep pointing at its unchanged questions."""
    _manager(actor_user)
    latest = Questionnaire.objects.filter(code=questionnaire.code).aggregate(m=Max("version"))["m"] or 0
    if Questionnaire.objects.filter(code=questionnaire.code, status=QuestionnaireStatus.DRAFT).exists():
        raise Conflict(_("A draft version of this questionnaire already exists."))
    copy = Questionnaire.objects.create(code=questionnaire.code, version=latest + 1, title=questionnaire.title,
                                        title_en=questionnaire.title_en, intro=questionnaire.intro,
                                        intro_en=questionnaire.intro_en)
    for section in questionnaire.sections.prefetch_related("questions"):
        new_section = Section.objects.create(questionnaire=copy, item=section.item, title=section.title,
                                             title_en=section.title_en, position=section.position)
        Question.objects.bulk_create([
            Question(section=new_section, kind=q.kind, text=q.text, text_en=q.text_en, required=q.required,
                     options=q.options, position=q.position) for q in section.questions.all()])
    return copy


# --- campaigns -----------------------------------------------------------------------------------

def _as_rate(value) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error("target_rate", _("target_rate: enter a number between 0 and 1, e.g. 0.95.")) from None
    if rate > 1 and rate <= 100:  # 95 means 95 %
        rate = rate / 100
    if rate < 0 or rate > 1:
        raise field_error("target_rate", _("target_rate: enter a number between 0 and 1, e.g. 0.95."))
    return rate.quantize(Decimal("0.0001"))


@transaction.atomic
def campaign_create(*, actor_user, name: str, questionnaire: Questionnaire, starts_on: date, ends_on: date,
                    population: str = Population.UNITS, sites=(), buildings=(), served_from: date | None = None,
                    served_to: date | None = None, target_rate=Decimal("0.95"), satisfied_min: int = 4,
                    department=None, tag: str = "") -> Campaign:
    """Plan a campaign (a draft): questionnaire, period, population and how results are judged."""
    actor = _manager(actor_user)
    name = _text("name", name, max_length=200)
    if questionnaire is None:
        raise _required("questionnaire")
    if questionnaire.status != QuestionnaireStatus.PUBLISHED:
        raise field_error("questionnaire", _("questionnaire: only a published version can be used."))
    if not starts_on:
        raise _required("starts_on")
    if not ends_on:
        raise _required("ends_on")
    if ends_on < starts_on:
        raise field_error("ends_on", _("ends_on: the campaign cannot end before it starts."))
    if population not in Population.values:
        raise field_error("population", _("population: choose who is asked."))
    sites, buildings = list(sites or []), list(buildings or [])
    if population == Population.UNITS and not sites and not buildings:
        raise field_error("sites", _("sites: choose at least one site or building."))
    if population == Population.SERVED:
        if not served_from:
            raise _required("served_from")
        if not served_to:
            raise _required("served_to")
        if served_to < served_from:
            raise field_error("served_to", _("served_to: the period cannot end before it starts."))
    tag = (tag or "").strip()
    if population == Population.TAG:
        if not tag:
            raise _required("tag")
        if len(tag) > 32:
            raise field_error("tag", _("tag: at most 32 characters."))
    try:
        satisfied_min = int(satisfied_min)
    except (TypeError, ValueError):
        satisfied_min = 0
    if satisfied_min not in (3, 4, 5):
        raise field_error("satisfied_min", _("satisfied_min: 3, 4 or 5."))
    department = department or (actor.staff.department if actor.staff else None)
    if department is None:
        raise _required("department")
    campaign = Campaign.objects.create(
        name=name, questionnaire=questionnaire, department=department, starts_on=starts_on, ends_on=ends_on,
        population=population, served_from=served_from if population == Population.SERVED else None,
        served_to=served_to if population == Population.SERVED else None, target_rate=_as_rate(target_rate),
        tag=tag if population == Population.TAG else "",
        satisfied_min=satisfied_min, created_by=actor_user)
    if population == Population.UNITS:
        campaign.sites.set(sites)
        campaign.buildings.set(buildings)
    return campaign


def _occupant_by_asset(asset_ids: list[int], on: date) -> dict[int, int]:
    links = (CustomerAsset.objects.filter(asset_id__in=asset_ids, ended_on__isnull=True)
             .exclude(started_on__gt=on).values_list("asset_id", "customer_id", "relation"))
    best: dict[int, tuple[int, int]] = {}
    for asset_id, customer_id, relation in links:
        rank = RELATION_PREFERENCE.index(relation) if relation in RELATION_PREFERENCE else 99  # type: ignore[arg-type]  # values of several types in one dict or variable
        if asset_id not in best or (rank, customer_id) < best[asset_id]:
            best[asset_id] = (rank, customer_id)
    return {asset_id: customer_id for asset_id, (_rank, customer_id) in best.items()}


def _build_population(campaign: Campaign) -> None:
    if campaign.population == Population.UNITS:
        units = list(Asset.objects.filter(kind=AssetKind.UNIT).filter(
            Q(site__in=campaign.sites.all()) | Q(building__in=campaign.buildings.all()))
            .distinct().values_list("id", "building_id").order_by("code"))
        occupants = _occupant_by_asset([u[0] for u in units], campaign.starts_on)
        Invitation.objects.bulk_create([
            Invitation(campaign=campaign, asset_id=asset_id, building_id=building_id,
                       customer_id=occupants.get(asset_id)) for asset_id, building_id in units],
            batch_size=500)
        BuildingCode.objects.bulk_create([
            BuildingCode(campaign=campaign, building_id=b)
            for b in sorted({b for _a, b in units if b})])
    elif campaign.population == Population.TAG:
        # Tags are a JSON list on the customer; JSON containment is not portable to SQLite, and a
        # campaign opens once, so the tagged customers are picked out here.
        wanted = campaign.tag.casefold()
        customer_ids = sorted(pk for pk, tags in Customer.objects.filter(deleted_at__isnull=True)
                              .exclude(tags=[]).values_list("pk", "tags").iterator(chunk_size=2000)
                              if any(str(t).casefold() == wanted for t in (tags or [])))
        Invitation.objects.bulk_create([Invitation(campaign=campaign, customer_id=c)
                                        for c in customer_ids], batch_size=500)
    else:
        from kefu.workorders.models import WorkOrder

        # The period is in local dates: from the first day's midnight to the midnight after the last.
        start = timezone.make_aware(datetime.combine(campaign.served_from, time.min))  # type: ignore[arg-type]  # not None on this path (set or checked before)
        end = timezone.make_aware(datetime.combine(campaign.served_to + timedelta(days=1), time.min))  # type: ignore[operator, arg-type]  # not None on this path (set or checked before)
        customer_ids = sorted(set(WorkOrder.objects.filter(received_at__gte=start, received_at__lt=end,
                                                           customer__isnull=False)
                                  .values_list("customer_id", flat=True)))
        Invitation.objects.bulk_create([Invitation(campaign=campaign, customer_id=c)
                                        for c in customer_ids], batch_size=500)


def _contact(customer: Customer | None) -> tuple[str, str] | None:
    """(channel, address) to send a customer their link: SMS to the primary phone, else email."""
    if customer is None:
        return None
    phones = sorted(customer.phones.all(), key=lambda p: (not p.is_primary, p.pk))
    if phones:
        return "sms", phones[0].number
    if customer.email:
        return "email", customer.email
    return None


def _send(invitation: Invitation, *, reminder: bool) -> bool:
    from kefu.notifications.services import outbox_enqueue, without_link

    contact = _contact(invitation.customer)
    if contact is None:
        return False
    campaign = invitation.campaign
    values = {"campaign": campaign.name, "url": public_url("surveys:respond", invitation.token),
              "ends_on": campaign.ends_on.isoformat()}
    if reminder:
        subject = _("Reminder: %(campaign)s") % values
        body = _("We have not yet received your answers to “%(campaign)s”. It takes three minutes: %(url)s "
                 "(open until %(ends_on)s).") % values
    else:
        subject = _("Satisfaction survey: %(campaign)s") % values
        body = _("Please tell us how satisfied you are with our service: %(url)s (open until %(ends_on)s).") % values
    # The link lets its holder answer as the customer: the outbox keeps it only until it is sent.
    outbox_enqueue(channel=contact[0], to_address=contact[1], subject=subject, body=body,
                   redacted_body=without_link(body, values["url"]))
    return True


@transaction.atomic
def campaign_open(*, actor_user, campaign: Campaign, send_links: bool = True) -> Campaign:
    """Open a draft campaign: freeze its population into invitations (one per unit, or per
    customer served), make a QR code per building, and queue each reachable respondent's link."""
    _manager(actor_user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict(_("Only a draft campaign can be opened."))
    _build_population(campaign)
    if not campaign.invitations.exists():
        raise field_error("population", _("population: nobody is in this campaign's population."))
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = timezone.now()
    campaign.save(update_fields=["status", "opened_at"])
    if send_links:
        now = timezone.now()
        sent = []
        for invitation in (campaign.invitations.select_related("customer", "campaign")
                           .prefetch_related("customer__phones")):
            if _send(invitation, reminder=False):
                sent.append(invitation.pk)
        Invitation.objects.filter(pk__in=sent).update(sent_at=now)
    return campaign


@transaction.atomic
def campaign_close(*, actor_user, campaign: Campaign, today: date | None = None) -> Campaign:
    """Close an open campaign (no more answers) and propose a corrective action for every service
    item whose satisfaction rate is below the target."""
    _manager(actor_user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(_("Only an open campaign can be closed."))
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_on = today or timezone.localdate()
    campaign.save(update_fields=["status", "closed_on"])
    _propose_corrective_actions(campaign)
    return campaign


def _propose_corrective_actions(campaign: Campaign) -> None:
    from kefu.improvement import services as improvement

    results = selectors.campaign_results(campaign=campaign, with_previous=False)
    url = reverse("surveys:detail", args=[campaign.pk])
    for item in results["items"]:
        if item["rate"] is None or item["meets_target"]:
            continue
        values = {"item": item["name"], "campaign": campaign.name, "rate": f"{item['rate'] * 100:.1f}",
                  "target": f"{campaign.target_rate * 100:.1f}", "num": item["numerator"], "den": item["denominator"]}
        improvement.corrective_action_propose(
            source="survey", reference=f"survey:{campaign.pk}:{item['code']}",
            nonconformity=_("Satisfaction with %(item)s in “%(campaign)s” is %(rate)s%% (%(num)s of %(den)s valid "
                            "answers), below the target of %(target)s%%.") % values,
            evidence=[{"label": _("Survey results: %(campaign)s") % values, "url": url, "item_code": item["code"]}])


# --- responses -----------------------------------------------------------------------------------

def _int_in(value, low: int, high: int) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError from None
    if not low <= number <= high:
        raise ValueError
    return number


def _clean_answers(questions: list[Question], raw: dict) -> tuple[list[Answer], dict[str, list[str]]]:
    """Check every answer against its question; all problems at once, keyed by `q<id>`."""
    answers, errors = [], {}
    for question in questions:
        field = question.field_name
        value = raw.get(field, raw.get(question.pk, raw.get(str(question.pk))))
        answer = Answer(question=question)
        empty = False
        try:
            if question.kind == QuestionKind.SCALE5:
                answer.score = _int_in(value, 1, 5)
                empty = answer.score is None
            elif question.kind == QuestionKind.NPS:
                answer.score = _int_in(value, 0, 10)
                empty = answer.score is None
            elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
                values = [str(v) for v in values if str(v).strip()]
                allowed = {v for v, _label in question.option_labels()}
                if any(v not in allowed for v in values) or (question.kind == QuestionKind.SINGLE and len(values) > 1):
                    raise ValueError
                answer.choices = list(dict.fromkeys(values))
                empty = not values
            else:
                text = value[0] if isinstance(value, list) and value else value
                answer.text = str(text or "").strip()
                if len(answer.text) > MAX_TEXT:
                    errors[field] = [_("%(question)s: at most %(max)s characters.") % {
                        "question": question.display_text, "max": MAX_TEXT}]
                    continue
                empty = not answer.text
        except ValueError:
            errors[field] = [_("%(question)s: choose one of the offered answers.") % {
                "question": question.display_text}]
            continue
        if empty:
            if question.required:
                errors[field] = [_("%(question)s: this question is required.") % {"question": question.display_text}]
            continue
        answers.append(answer)
    return answers, errors


def answers_errors(*, campaign: Campaign, answers: dict) -> dict[str, list[str]]:
    """What is wrong with these answers to the campaign's questionnaire (nothing is written)."""
    return _clean_answers(selectors.questions_of(campaign.questionnaire), answers or {})[1]


@transaction.atomic
def response_submit(*, invitation: Invitation, channel: str, answers: dict, entered_by=None,
                    paper_reference: str = "", now=None) -> Response:
    """Store one respondent's answers (all or nothing) and, when any service item was rated
    dissatisfied or worse, ask the callbacks app for a follow-up callback to that customer.

    `answers` maps `q<question id>` (or the id) to a value: a score, an option value, a list of
    option values, or text. Raises InvalidInput listing every wrong or missing answer.
    """
    if channel not in ResponseChannel.values:
        raise field_error("channel", _("channel: choose link, QR code or paper."))
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the customer join.
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("campaign__questionnaire", "customer", "asset").get(pk=invitation.pk))
    campaign = invitation.campaign
    if channel == ResponseChannel.PAPER:
        # Paper forms collected in time may be typed in after the end date, until the campaign closes.
        if campaign.status != CampaignStatus.OPEN:
            raise Conflict(_("This campaign is not open; paper forms can no longer be entered."))
    else:
        state = selectors.campaign_accepts_answers(campaign)
        if state != "ok":
            raise Conflict(_("This survey is closed."), code=f"survey_{state}")
    if Response.objects.filter(invitation=invitation).exists():
        raise Conflict(_("These answers have already been given."), code="survey_used")
    cleaned, errors = _clean_answers(selectors.questions_of(campaign.questionnaire), answers or {})
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors)
    response = Response.objects.create(
        campaign=campaign, invitation=invitation, channel=channel, submitted_at=now or timezone.now(),
        entered_by=entered_by, paper_reference=_text("paper_reference", paper_reference, max_length=64,
                                                     required=False))
    for answer in cleaned:
        answer.response = response
    Answer.objects.bulk_create(cleaned)
    dissatisfied = [a for a in cleaned if a.question.kind == QuestionKind.SCALE5 and a.score <= DISSATISFIED_MAX]  # type: ignore[operator]  # not None on this path (set or checked before)
    if dissatisfied and invitation.customer is not None:
        _follow_up(response, invitation, dissatisfied)
    return response


def _follow_up(response: Response, invitation: Invitation, dissatisfied: list[Answer]) -> None:
    from kefu.callbacks import services as callbacks

    items = sorted({(a.question.section.item.display_name if a.question.section.item else
                     a.question.section.display_title) for a in dissatisfied})
    where = invitation.asset.code if invitation.asset_id else ""  # type: ignore[union-attr]  # not None on this path (set or checked before)
    reason = _("Dissatisfied in survey “%(campaign)s”%(unit)s: %(items)s") % {
        "campaign": invitation.campaign.name, "unit": f" ({where})" if where else "", "items": "、".join(items)}
    callbacks.callback_create_follow_up(customer=invitation.customer, reason=reason, source="survey",
                                        reference=f"survey:response:{response.pk}")


# --- reminders -----------------------------------------------------------------------------------

@transaction.atomic
def reminders_send(*, now=None) -> int:
    """Queue one reminder through the outbox for each non-respondent of an open campaign who can
    be reached, at most `max_reminders` times, `reminder_interval_days` apart. Idempotent within
    an interval: safe to run as often as the scheduler likes."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, starts_on__lte=today, ends_on__gte=today):
        due_before = now - timedelta(days=campaign.reminder_interval_days)
        # Locked so two schedulers running at once cannot both remind the same person.
        candidates = (Invitation.objects.select_for_update(of=("self",))
                      .filter(campaign=campaign, response__isnull=True, customer__isnull=False,
                              reminders_sent__lt=campaign.max_reminders)
                      .exclude(last_reminded_at__gt=due_before).exclude(sent_at__gt=due_before))
        ids = []
        for invitation in candidates.select_related("customer", "campaign").prefetch_related("customer__phones"):
            if _send(invitation, reminder=True):
                ids.append(invitation.pk)
        Invitation.objects.filter(pk__in=ids).update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
        sent += len(ids)
    return sent
