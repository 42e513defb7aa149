"""Survey UI (htmx + Bootstrap). Staff pages: campaigns and their results, exports, QR sheets,
paper entry, the questionnaire builder. Public pages (no login): a respondent's personal link
and a building's QR form, mobile first; a used or expired link gets a friendly page.

Views parse input, call services (writes) and selectors (reads scoped to the actor), and turn
ApplicationError into a marked form with the matching status.
"""

from datetime import date

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import ApplicationError, InvalidInput, NotFound
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator
from kefu.customers.models import Building, Site
from kefu.org.decorators import staff_required
from kefu.org.selectors import Actor
from kefu.surveys import exports, selectors, services
from kefu.surveys.choices import (
    CAMPAIGN_STATUS_COLORS,
    CampaignStatus,
    Population,
    QuestionKind,
    ResponseChannel,
    Satisfaction,
)
from kefu.surveys.models import Question, ServiceItem

PAGE_SIZE = 25
TEXT_PAGE_SIZE = 20


def _survey_actor(request) -> Actor:
    actor = request.actor
    if not selectors.may_view(actor):
        raise PermissionDenied(_("Your role may not use the survey pages."))
    return actor


def _campaign_or_404(actor: Actor, pk):
    try:
        return selectors.campaign_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _date(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


# --- campaigns ----------------------------------------------------------------------------------

@staff_required
@require_GET
def campaign_list(request):
    actor = _survey_actor(request)
    page = CappedPaginator(selectors.campaign_list_for_actor(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "surveys/list.html", {
        "page": page, "campaigns": page.object_list, "status_colors": CAMPAIGN_STATUS_COLORS,
        "may_manage": selectors.may_manage(actor)})


def _create_context(values: dict, errors: dict, message: str = "") -> dict:
    return {"values": values, "errors": errors, "error_message": message,
            "questionnaires": list(selectors.published_questionnaires()),
            "sites": list(Site.objects.order_by("code")),
            "buildings": list(Building.objects.select_related("site").order_by("site__code", "code")),
            "populations": Population.choices,
            "satisfied_choices": [(4, _("Satisfied and very satisfied")),
                                  (3, _("Also basically satisfied")), (5, _("Very satisfied only"))]}


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    actor = _survey_actor(request)
    if not selectors.may_manage(actor):
        raise PermissionDenied(_("Your role may not manage satisfaction surveys."))
    if request.method == "GET":
        return render(request, "surveys/create.html", _create_context(
            {"target_rate": "95", "satisfied_min": "4", "population": Population.UNITS}, {}))
    post = request.POST
    values = {k: post.get(k, "") for k in ("name", "questionnaire", "starts_on", "ends_on", "population",
                                           "served_from", "served_to", "target_rate", "satisfied_min", "tag")}
    values["sites"] = post.getlist("sites")
    values["buildings"] = post.getlist("buildings")
    errors: dict[str, list[str]] = {}
    for field in ("starts_on", "ends_on", "served_from", "served_to"):
        if values[field] and _date(values[field]) is None:
            errors[field] = [_("%(field)s: enter a date as YYYY-MM-DD.") % {"field": field}]
    questionnaire = selectors.published_questionnaires().filter(pk=values["questionnaire"] or 0).first() \
        if values["questionnaire"].isdigit() else None
    if not errors:
        try:
            campaign = services.campaign_create(
                actor_user=request.user, name=values["name"], questionnaire=questionnaire,
                starts_on=_date(values["starts_on"]), ends_on=_date(values["ends_on"]),
                population=values["population"],
                sites=list(Site.objects.filter(pk__in=[s for s in values["sites"] if s.isdigit()])),
                buildings=list(Building.objects.filter(pk__in=[b for b in values["buildings"] if b.isdigit()])),
                served_from=_date(values["served_from"]), served_to=_date(values["served_to"]),
                target_rate=values["target_rate"] or "0.95", satisfied_min=values["satisfied_min"] or 4,
                tag=values["tag"])
        except ApplicationError as error:
            return render(request, "surveys/create.html", _create_context(values, error.fields, error.message),
                          status=error.status_code)
        messages.success(request, _("Campaign “%(name)s” has been planned.") % {"name": campaign.name})
        return redirect("surveys:detail", pk=campaign.pk)
    return render(request, "surveys/create.html",
                  _create_context(values, errors, _("Please correct the errors below.")), status=400)


def _chart(results: dict) -> dict:
    """The data of the bar chart: rate per item (percent), the target and the previous rate."""
    items = results["items"]
    pct = [float(i["rate"] * 100) if i["rate"] is not None else None for i in items]
    return {"labels": [i["name"] for i in items], "rates": pct,
            "previous": [float(i["previous_rate"] * 100) if i["previous_rate"] is not None else None for i in items],
            "target": float(results["overall"]["target"] * 100),
            "names": {"rate": _("Satisfaction rate"), "previous": _("Previous campaign"), "target": _("Target")}}


@staff_required
@require_GET
def campaign_detail(request, pk):
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    results = selectors.campaign_results(campaign=campaign)
    texts = CappedPaginator(selectors.text_answers(campaign=campaign), TEXT_PAGE_SIZE).get_page(1)
    return render(request, "surveys/detail.html", {
        "campaign": campaign, "results": results, "chart": _chart(results), "texts": texts, "q": "",
        "status_colors": CAMPAIGN_STATUS_COLORS, "may_manage": selectors.may_manage(actor),
        "may_enter_paper": selectors.may_enter_paper(actor) and campaign.status == CampaignStatus.OPEN,
        "distribution_labels": Satisfaction.choices})


@staff_required
@require_GET
def campaign_texts(request, pk):
    """htmx: the free-text answers, searched."""
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    q = request.GET.get("q", "")[:100]
    texts = CappedPaginator(selectors.text_answers(campaign=campaign, q=q), TEXT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    template = "surveys/partials/texts.html" if is_partial(request) else "surveys/texts.html"
    response = render(request, template, {"campaign": campaign, "texts": texts, "q": q})
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
@require_POST
def campaign_action(request, pk, action):
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    handlers = {"open": services.campaign_open, "close": services.campaign_close}
    if action not in handlers:
        raise Http404
    try:
        handlers[action](actor_user=request.user, campaign=campaign)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:detail", pk=campaign.pk)
    messages.success(request, _("The campaign is open.") if action == "open" else _("The campaign is closed."))
    return redirect("surveys:detail", pk=campaign.pk)


@staff_required
@require_GET
def campaign_xlsx(request, pk):
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    response = HttpResponse(exports.results_xlsx(campaign=campaign),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="survey-{campaign.pk}.xlsx"'
    return response


@staff_required
@require_GET
def campaign_pdf(request, pk):
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    response = HttpResponse(exports.results_pdf(campaign=campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{campaign.pk}.pdf"'
    return response


@staff_required
@require_GET
def campaign_qr(request, pk):
    """A printable sheet: one QR code per building, to post in the lobby."""
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    codes = []
    for code in campaign.building_codes.select_related("building__site").order_by("building__code"):
        url = services.public_url("surveys:building", code.token)
        codes.append({"building": code.building, "url": url,
                      "svg": segno.make(url, error="m").svg_inline(scale=5, dark="#000")})
    return render(request, "surveys/qr.html", {"campaign": campaign, "codes": codes})


# --- paper entry --------------------------------------------------------------------------------

def _questions_context(campaign, values=None, errors=None) -> dict:
    return {"sections": _sections(campaign), "values": values or {}, "errors": errors or {},
            "scale": [(v, label) for v, label in reversed(Satisfaction.choices)], "nps_range": range(11)}


def _sections(campaign) -> list[dict]:
    sections: dict[int, dict] = {}
    for question in selectors.questions_of(campaign.questionnaire):
        entry = sections.setdefault(question.section_id, {"section": question.section, "questions": []})
        entry["questions"].append(question)
    return list(sections.values())


def _form_values(post, campaign) -> dict:
    values = {}
    for question in selectors.questions_of(campaign.questionnaire):
        if question.kind == QuestionKind.MULTIPLE:
            values[question.field_name] = post.getlist(question.field_name)
        else:
            values[question.field_name] = post.get(question.field_name, "")
    return values


@staff_required
@require_http_methods(["GET", "POST"])
def paper_entry(request, pk):
    actor = _survey_actor(request)
    campaign = _campaign_or_404(actor, pk)
    if not selectors.may_enter_paper(actor):
        raise PermissionDenied(_("Your role may not enter paper survey forms."))
    unit = (request.POST.get("unit") if request.method == "POST" else request.GET.get("unit", "")) or ""
    context = {"campaign": campaign, "unit": unit, **_questions_context(campaign)}
    if request.method == "GET":
        return render(request, "surveys/paper.html", context)
    values = _form_values(request.POST, campaign)
    context.update(values=values, paper_reference=request.POST.get("paper_reference", ""))
    try:
        invitation = selectors.paper_invitation(actor_user=request.user, campaign=campaign, unit_code=unit)
        services.response_submit(invitation=invitation, channel=ResponseChannel.PAPER, answers=values,
                                 entered_by=request.user, paper_reference=request.POST.get("paper_reference", ""))
    except ApplicationError as error:
        context.update(errors=error.fields, error_message=error.message)
        return render(request, "surveys/paper.html", context, status=error.status_code)
    messages.success(request, _("Paper form of %(unit)s saved.") % {"unit": unit})
    return redirect(reverse("surveys:paper", args=[campaign.pk]))


# --- questionnaire builder ------------------------------------------------------------------------

def _manager(request) -> Actor:
    actor = _survey_actor(request)
    if not selectors.may_manage(actor):
        raise PermissionDenied(_("Your role may not manage satisfaction surveys."))
    return actor


@staff_required
@require_http_methods(["GET", "POST"])
def questionnaire_list(request):
    _manager(request)
    values, errors, message, status = {}, {}, "", 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("code", "title", "title_en")}
        try:
            questionnaire = services.questionnaire_create(actor_user=request.user, **values)
        except ApplicationError as error:
            errors, message, status = error.fields, error.message, error.status_code
        else:
            return redirect("surveys:questionnaire", pk=questionnaire.pk)
    return render(request, "surveys/questionnaires.html", {
        "questionnaires": list(selectors.questionnaire_list()), "values": values, "errors": errors,
        "error_message": message}, status=status)


def _builder_context(questionnaire, **extra) -> dict:
    return {"questionnaire": questionnaire, "items": list(ServiceItem.objects.order_by("position")),
            "kinds": QuestionKind.choices, "values": {}, "errors": {}, **extra}


def _builder_question(questionnaire, value: str):
    question = Question.objects.filter(section__questionnaire=questionnaire, pk=value).first() \
        if value.isascii() and value.isdigit() and len(value) < 19 else None
    if question is None:
        message = _("question: no such question in this questionnaire.")
        raise InvalidInput(message, fields={"question": [message]})
    return question


def _builder_section(questionnaire, value: str):
    section = questionnaire.sections.filter(pk=value).first() \
        if value.isascii() and value.isdigit() and len(value) < 19 else None
    if section is None:
        message = _("section: no such section in this questionnaire.")
        raise InvalidInput(message, fields={"section": [message]})
    return section


# Builder operations answered over htmx with the sections partial.
_BUILDER_OPS = ("move", "delete", "section_move", "section_delete")


def _builder_sections(request, pk, error: ApplicationError | None = None):
    """htmx: the sections and their questions after a move or delete (or with why it was refused).
    The "add a question" form's section list is swapped too (out of band): sections move and go."""
    questionnaire = selectors.questionnaire_with_questions(pk=pk)
    return render(request, "surveys/partials/builder_sections.html", {
        "questionnaire": questionnaire, "question_error": error.message if error else "", "oob": True},
        status=error.status_code if error else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request, pk):
    _manager(request)
    try:
        questionnaire = selectors.questionnaire_with_questions(pk=pk)
    except NotFound:
        raise Http404 from None
    if request.method == "GET":
        return render(request, "surveys/questionnaire.html", _builder_context(questionnaire))
    op = request.POST.get("op", "")
    post = request.POST
    try:
        if op == "section":
            item = ServiceItem.objects.filter(pk=post.get("item") or 0).first() if post.get("item", "").isdigit() \
                else None
            services.section_add(actor_user=request.user, questionnaire=questionnaire, title=post.get("title", ""),
                                 title_en=post.get("title_en", ""), item=item)
        elif op == "question":
            section = questionnaire.sections.filter(pk=post.get("section") or 0).first() \
                if post.get("section", "").isdigit() else None
            if section is None:
                raise InvalidInput(_("section: choose a section."), fields={
                    "section": [_("section: choose a section.")]})
            options = [line.strip() for line in post.get("options", "").splitlines() if line.strip()]
            services.question_add(actor_user=request.user, section=section, kind=post.get("kind", ""),
                                  text=post.get("text", ""), text_en=post.get("text_en", ""),
                                  required=post.get("required") == "on", options=options)
        elif op in _BUILDER_OPS:
            if op in ("move", "delete"):
                question = _builder_question(questionnaire, post.get("question", ""))
                if op == "move":
                    services.question_move(actor_user=request.user, question=question,
                                           direction=post.get("direction", ""))
                else:
                    services.question_delete(actor_user=request.user, question=question)
            else:
                section = _builder_section(questionnaire, post.get("section", ""))
                if op == "section_move":
                    services.section_move(actor_user=request.user, section=section,
                                          direction=post.get("direction", ""))
                else:
                    services.section_delete(actor_user=request.user, section=section)
            if is_partial(request):
                return _builder_sections(request, pk)
        elif op == "publish":
            services.questionnaire_publish(actor_user=request.user, questionnaire=questionnaire)
        elif op == "new_version":
            copy = services.questionnaire_new_version(actor_user=request.user, questionnaire=questionnaire)
            return redirect("surveys:questionnaire", pk=copy.pk)
        else:
            raise Http404
    except ApplicationError as error:
        if op in _BUILDER_OPS and is_partial(request):
            return _builder_sections(request, pk, error)
        questionnaire = selectors.questionnaire_with_questions(pk=pk)
        return render(request, "surveys/questionnaire.html", _builder_context(
            questionnaire, op=op, values=post, errors=error.fields, error_message=error.message),
            status=error.status_code)
    return redirect("surveys:questionnaire", pk=questionnaire.pk)


# --- public respondent pages (no login) -----------------------------------------------------------

def _closed_page(request, state: str, campaign=None):
    # A friendly page with status 200 for a used link (the respondent did nothing wrong) and 410
    # Gone for an expired one, 404 for an unknown token; never an error page.
    status = {"used": 200, "expired": 410, "not_open": 200, "unknown": 404}.get(state, 404)
    return render(request, "surveys/public_closed.html", {"state": state, "campaign": campaign}, status=status)


def _public_form(request, *, campaign, action_url: str, values=None, errors=None, message="", status=200,
                 units=None, unit="", invitation=None):
    return render(request, "surveys/public_form.html", {
        "campaign": campaign, "questionnaire": campaign.questionnaire, "action_url": action_url,
        "error_message": message, "units": units, "unit": unit, "invitation": invitation,
        **_questions_context(campaign, values, errors)}, status=status)


@require_http_methods(["GET", "POST"])
def respond(request, token):
    found = selectors.invitation_for_token(token)
    if found.state != "ok":
        return _closed_page(request, found.state, found.campaign)
    campaign, url = found.campaign, reverse("surveys:respond", args=[token])
    if request.method == "GET":
        return _public_form(request, campaign=campaign, action_url=url, invitation=found.invitation)
    values = _form_values(request.POST, campaign)
    try:
        services.response_submit(invitation=found.invitation, channel=ResponseChannel.LINK, answers=values)
    except ApplicationError as error:
        if error.status_code == 409:
            return _closed_page(request, selectors.invitation_for_token(token).state, campaign)
        return _public_form(request, campaign=campaign, action_url=url, values=values, errors=error.fields,
                            message=error.message, status=error.status_code, invitation=found.invitation)
    return render(request, "surveys/public_thanks.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
def building(request, token):
    """The form behind a building's QR code: the respondent names their unit, once per unit."""
    state, code = selectors.building_code_for_token(token)
    if state != "ok":
        return _closed_page(request, state, code.campaign if code else None)
    campaign, url = code.campaign, reverse("surveys:building", args=[token])
    units = list(selectors.open_units_of_building(code=code))
    if not units:
        return _closed_page(request, "used", campaign)
    if request.method == "GET":
        return _public_form(request, campaign=campaign, action_url=url, units=units)
    values = _form_values(request.POST, campaign)
    unit = request.POST.get("unit", "")
    invitation = next((u for u in units if str(u.pk) == unit), None)
    errors = {} if invitation else {"unit": [_("unit: choose your unit.")]}
    try:
        if invitation is None:
            # Check the answers too, so every problem is marked at once.
            raise InvalidInput(errors["unit"][0], fields={**errors, **services.answers_errors(
                campaign=campaign, answers=values)})
        services.response_submit(invitation=invitation, channel=ResponseChannel.QR, answers=values)
    except ApplicationError as error:
        if error.status_code == 409:
            return _closed_page(request, "used", campaign)
        return _public_form(request, campaign=campaign, action_url=url, values=values, errors=error.fields,
                            message=error.message, status=error.status_code, units=units, unit=unit)
    return render(request, "surveys/public_thanks.html", {"campaign": campaign})
