"""KPI UI (htmx + Bootstrap): my scorecards, my team's, a scorecard with its manual entries and
sign-off, the drill-down from each computed line to its records, and the semi-annual reviews.
Views parse input, call services (writes) and selectors (reads, scoped to the actor)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotFound
from kefu.core.pages import take_workflow_action
from kefu.core.pagination import CappedPaginator
from kefu.kpi import selectors, services
from kefu.kpi.choices import ReviewGroup
from kefu.kpi.forms import EnterValueForm, PeriodForm, ReviewForm, SignOffForm
from kefu.org.decorators import staff_required

PAGE_SIZE = 50


def _scorecard_or_404(actor, pk):
    try:
        return selectors.scorecard_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


@staff_required
@require_GET
def my_scorecards(request):
    actor = request.actor
    return render(request, "kpi/mine.html", {
        "scorecards": list(selectors.my_scorecards(actor=actor)),
        "is_lead": actor.role in selectors.LEAD_ROLES or actor.role == "administrator",
        "reviews": list(selectors.review_list_for_actor(actor=actor).filter(person_id=actor.user_id))})


@staff_required
@require_GET
def team_scorecards(request):
    actor = request.actor
    period = PeriodForm(request.GET)
    year, quarter = selectors.current_quarter()
    if period.is_valid():
        year = period.cleaned_data.get("year") or year
        quarter = period.cleaned_data.get("quarter") or quarter
    qs = selectors.team_scorecards(actor=actor).filter(year=year, quarter=quarter)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "kpi/team.html", {"page": page, "scorecards": page.object_list, "year": year,
                                             "quarter": quarter, "quarters": [1, 2, 3, 4]})


def _detail_context(actor, scorecard, *, failed_code: str = "", failed_form=None, error_message: str = "") -> dict:
    lines = selectors.scorecard_lines(scorecard=scorecard)
    rows = []
    for line in lines:
        form = None
        if selectors.may_enter(actor, scorecard, line.indicator):
            form = failed_form if failed_code == line.indicator.code and failed_form is not None else EnterValueForm(
                initial={"version": scorecard.version, "value": line.value, "note": line.note},
                auto_id=f"id_{line.indicator.code}_%s")
        rows.append({"line": line, "indicator": line.indicator, "form": form,
                     "computed": line.indicator.source != "manual"})
    sign_off = SignOffForm(initial={"version": scorecard.version}) if selectors.may_sign_off(actor, scorecard) else None
    return {"scorecard": scorecard, "rows": rows, "sign_off_form": sign_off, "failed_code": failed_code,
            "error_message": error_message, "events": list(selectors.scorecard_events(scorecard=scorecard))}


@staff_required
@require_GET
def detail(request, pk):
    actor = request.actor
    scorecard = _scorecard_or_404(actor, pk)
    return render(request, "kpi/detail.html", _detail_context(actor, scorecard))


def _detail_failure(request, actor, scorecard, *, code: str = ""):
    """The scorecard page again with the refused form (or the refusal) and the refusal's status."""
    def failure(form, message, status):
        return render(request, "kpi/detail.html", _detail_context(
            actor, scorecard, failed_code=code, failed_form=form if code else None, error_message=message),
            status=status)
    return failure


@staff_required
@require_POST
def enter_value(request, pk, code):
    actor = request.actor
    scorecard = _scorecard_or_404(actor, pk)
    return take_workflow_action(
        request, action="enter", forms={"enter": EnterValueForm}, label=_("Save"),
        make_form=lambda action, data: EnterValueForm(data, auto_id=f"id_{code}_%s"),
        run=lambda data, form: services.scorecard_enter_value(
            scorecard=scorecard, indicator_code=code, value=data["value"], note=data["note"],
            actor_user=request.user, expected_version=form.cleaned_data["version"]),
        success_url=reverse("kpi:detail", args=[scorecard.pk]), failure=_detail_failure(
            request, actor, scorecard, code=code), success_message=_("Value saved."))


@staff_required
@require_POST
def sign_off(request, pk):
    actor = request.actor
    scorecard = _scorecard_or_404(actor, pk)
    return take_workflow_action(
        request, action="sign_off", forms={"sign_off": SignOffForm}, label=_("Sign off and lock"),
        make_form=lambda action, data: SignOffForm(data),
        run=lambda data, form: services.scorecard_sign_off(
            scorecard=scorecard, actor_user=request.user, expected_version=form.cleaned_data["version"]),
        success_url=reverse("kpi:detail", args=[scorecard.pk]), failure=_detail_failure(request, actor, scorecard),
        success_message=_("Scorecard signed off; it is now locked."))


@staff_required
@require_GET
def drilldown(request, pk, code):
    """The records behind one computed line: their count is the line's denominator."""
    actor = request.actor
    scorecard = _scorecard_or_404(actor, pk)
    line = next((ln for ln in selectors.scorecard_lines(scorecard=scorecard) if ln.indicator.code == code), None)
    if line is None:
        raise Http404
    kind, records = selectors.drilldown_records(scorecard, line.indicator)
    if kind is None:
        raise Http404
    page = CappedPaginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "kpi/drilldown.html", {"scorecard": scorecard, "line": line, "kind": kind, "page": page,
                                                  "records": page.object_list})


@staff_required
@require_GET
def review_list(request):
    actor = request.actor
    return render(request, "kpi/reviews.html", {
        "reviews": list(selectors.review_list_for_actor(actor=actor)[:200]),
        "reviewable": list(selectors.reviewable_staff(actor=actor))})


@staff_required
def review_create(request, user_id):
    actor = request.actor
    staff = selectors.reviewable_staff(actor=actor).filter(user_id=user_id).first()
    if staff is None:
        raise Http404
    review_form = selectors.review_form_for(staff)
    today = timezone.localdate()
    initial = {"year": today.year, "half": 1 if today.month <= 6 else 2}
    form = ReviewForm(request.POST or None, initial=initial, review_form=review_form)
    status = 200
    error_message = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                services.competency_review_submit(
                    actor_user=request.user, person=get_user_model().objects.get(pk=user_id),
                    year=form.cleaned_data["year"], half=form.cleaned_data["half"], scores=form.scores(),
                    comment=form.cleaned_data["comment"])
            except ApplicationError as error:
                error_message, status = error.message, error.status_code
            else:
                messages.success(request, _("Review submitted."))
                return redirect("kpi:reviews")
        else:
            error_message, status = _("Please correct the errors below."), 400
    groups = [(label, form.item_fields(value)) for value, label in ReviewGroup.choices]
    return render(request, "kpi/review_form.html", {"form": form, "staff": staff, "review_form": review_form,
                                                    "groups": groups, "error_message": error_message}, status=status)


