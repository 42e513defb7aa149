"""Every write to KPI scorecards, templates and reviews.

Scorecards: `scorecard_generate` makes one person's quarter (idempotent) and
`scorecard_generate_quarter` everyone's; `scorecard_refresh` recomputes the computed lines from
the period's records; `scorecard_enter_value` records a manual line; `scorecard_sign_off` locks
the scorecard. Each change goes through the kernel's gate (`kefu.core.workflow.run_transition`, with
workflow.TABLE): it compares-and-swaps the scorecard's `version` (409 when someone else changed
it, 409 `locked` once signed off) and writes one immutable ScorecardEvent.
"""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, field_error
from kefu.core.workflow import SYSTEM, Change, Refusal, Workflow, choices_label, run_transition
from kefu.kpi import scoring, selectors, workflow
from kefu.kpi.choices import COMPUTED_SOURCES, ReviewStatus, Rule, ScorecardAction, ScorecardStatus, Source
from kefu.kpi.models import (
    CompetencyReview,
    CompetencyReviewScore,
    Indicator,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
    ScorecardTemplate,
)
from kefu.org.choices import RoleCode
from kefu.org.models import Staff
from kefu.org.selectors import require_actor


def _decimal(field: str, value, *, low=Decimal(0), high=Decimal(100)) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise field_error(field, _("%(field)s: enter a number.") % {"field": field})
    if number < low or number > high:
        raise field_error(field, _("%(field)s: enter a number from %(low)s to %(high)s.")
                           % {"field": field, "low": low, "high": high})
    return scoring.q2(number)


def _event(scorecard: Scorecard, *, action: str, actor_user, now, body: str = "", data: dict | None = None):
    return ScorecardEvent.objects.create(scorecard=scorecard, action=action, actor=actor_user, created_at=now,
                                         body=body, data=data or {})


def _score_line(line: ScorecardLine) -> None:
    indicator = line.indicator
    line.score = scoring.points(rule=indicator.rule, value=line.value, floor=indicator.floor, target=indicator.target)
    line.weighted = scoring.weighted(score=line.score, weight=indicator.weight)


def _total(scorecard: Scorecard) -> Decimal:
    return scoring.total(scorecard.lines.values_list("weighted", flat=True))


# --- templates ------------------------------------------------------------------------------------

def clean_indicator(data: dict, index: int) -> dict:
    """One indicator of a template, checked: known source and rule, a floor below the target for
    linear rules, a target for thresholds, an entering role for manual values."""
    prefix = f"indicators.{index}"
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    if not code:
        raise field_error(f"{prefix}.code", _("%(field)s: give a code.") % {"field": f"{prefix}.code"}, "required")
    if not name:
        raise field_error(f"{prefix}.name", _("%(field)s: give a name.") % {"field": f"{prefix}.name"}, "required")
    source, rule = data.get("source"), data.get("rule")
    if source not in Source.values:
        raise field_error(f"{prefix}.source", _("%(field)s: unknown source.") % {"field": f"{prefix}.source"})
    if rule not in Rule.values:
        raise field_error(f"{prefix}.rule", _("%(field)s: unknown scoring rule.") % {"field": f"{prefix}.rule"})
    weight = _decimal(f"{prefix}.weight", data.get("weight"), low=Decimal("0.01"))
    floor = data.get("floor")
    target = data.get("target")
    floor = None if floor in (None, "") else _decimal(f"{prefix}.floor", floor, high=Decimal("1000000"))
    target = None if target in (None, "") else _decimal(f"{prefix}.target", target, high=Decimal("1000000"))
    if rule in (Rule.LINEAR, Rule.THRESHOLD) and target is None:
        raise field_error(f"{prefix}.target", _("%(field)s: this rule needs a target.") % {"field": f"{prefix}.target"},
                           "required")
    if rule == Rule.LINEAR and (floor is None or floor >= target):  # type: ignore[operator]  # not None on this path (set or checked before)
        raise field_error(f"{prefix}.floor", _("%(field)s: a linear rule needs a floor below the target.")
                           % {"field": f"{prefix}.floor"})
    entered_by = str(data.get("entered_by_role") or "")
    if source == Source.MANUAL and entered_by not in RoleCode.values:
        raise field_error(f"{prefix}.entered_by_role", _("%(field)s: say which role enters this value.")
                           % {"field": f"{prefix}.entered_by_role"}, "required")
    if source in COMPUTED_SOURCES and rule == Rule.MANUAL:
        raise field_error(f"{prefix}.rule", _("%(field)s: a computed value needs a linear or threshold rule.")
                           % {"field": f"{prefix}.rule"})
    return {"code": code[:32], "name": name[:200], "name_en": str(data.get("name_en") or "")[:200],
            "weight": weight, "source": source, "order_type": str(data.get("order_type") or "")[:20], "rule": rule,
            "floor": floor, "target": target, "entered_by_role": entered_by if source == Source.MANUAL else "",
            "method": str(data.get("method") or "")[:200]}


def validate_weights(weights) -> None:
    """InvalidInput (400) naming `indicators` unless the weights sum to exactly 100 %."""
    wrong = scoring.weights_error(weights)
    if wrong is not None:
        message = _("indicators: the weights sum to %(sum)s%%; they must sum to 100%%.") % {"sum": wrong}
        raise InvalidInput(message, code="weights_sum", fields={"indicators": [message]})


@transaction.atomic
def scorecard_template_create(*, actor_user, code: str, name: str, role: str, indicators: list[dict],
                              name_en: str = "") -> ScorecardTemplate:
    """Create a template with its indicators (administrators only); weights must sum to 100 %."""
    actor = require_actor(actor_user)
    if actor.role != RoleCode.ADMINISTRATOR:
        raise NotAllowed(_("Only administrators may define scorecard templates."), code="role_not_allowed")
    code, name = str(code or "").strip(), str(name or "").strip()
    if not code:
        raise field_error("code", _("code: give a code."), "required")
    if not name:
        raise field_error("name", _("name: give a name."), "required")
    if role not in RoleCode.values:
        raise field_error("role", _("role: unknown role."))
    if ScorecardTemplate.objects.filter(code=code).exists():
        raise field_error("code", _("code: a template with this code exists."), "unique")
    if not isinstance(indicators, list | tuple) or not indicators:
        raise field_error("indicators", _("indicators: give at least one indicator."), "required")
    cleaned = [clean_indicator(row if isinstance(row, dict) else {}, i) for i, row in enumerate(indicators)]
    codes = [row["code"] for row in cleaned]
    if len(set(codes)) != len(codes):
        raise field_error("indicators", _("indicators: every indicator needs its own code."))
    validate_weights(row["weight"] for row in cleaned)
    template = ScorecardTemplate.objects.create(code=code[:32], name=name[:100], name_en=str(name_en or "")[:100],
                                                role=role)
    Indicator.objects.bulk_create([Indicator(template=template, position=i, **row) for i, row in enumerate(cleaned, 1)])
    return template


# --- scorecards -------------------------------------------------------------------------------------

def _refresh_lines(scorecard: Scorecard, now) -> list[dict]:
    changed = []
    for line in scorecard.lines.select_related("indicator"):
        if line.indicator.source not in COMPUTED_SOURCES:
            continue
        figure = selectors.indicator_figure(scorecard, line.indicator, now=now)
        line.value, line.denominator = figure["value"], figure["denominator"]
        line.numerator = None if figure["numerator"] is None else scoring.q2(figure["numerator"])
        _score_line(line)
        line.save(update_fields=["value", "numerator", "denominator", "score", "weighted"])
        changed.append({"indicator": line.indicator.code, "value": None if line.value is None else str(line.value),
                        "numerator": None if line.numerator is None else str(line.numerator),
                        "denominator": line.denominator})
    return changed


@transaction.atomic
def scorecard_generate(*, template: ScorecardTemplate, staff: Staff, year: int, quarter: int,
                       actor_user=None) -> Scorecard:
    """The person's scorecard of the quarter, created with one line per indicator and its
    computed lines filled; an existing scorecard is returned as it is (idempotent)."""
    if quarter not in (1, 2, 3, 4):
        raise field_error("quarter", _("quarter: give 1, 2, 3 or 4."))
    existing = Scorecard.objects.filter(template=template, person_id=staff.user_id, year=year, quarter=quarter).first()
    if existing is not None:
        return existing
    start, end = selectors.quarter_bounds(year, quarter)
    now = timezone.now()
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(template=template, person_id=staff.user_id,
                                                 department_id=staff.department_id, year=year, quarter=quarter,
                                                 period_start=start, period_end=end, created_at=now, updated_at=now)
    except IntegrityError:
        return Scorecard.objects.get(template=template, person_id=staff.user_id, year=year, quarter=quarter)
    ScorecardLine.objects.bulk_create([ScorecardLine(scorecard=scorecard, indicator=indicator)
                                       for indicator in template.indicators.all()])
    changed = _refresh_lines(scorecard, now)
    Scorecard.objects.filter(pk=scorecard.pk).update(total_score=_total(scorecard), computed_at=now)
    _event(scorecard, action=ScorecardAction.GENERATE, actor_user=actor_user, now=now, data={"lines": changed})
    scorecard.refresh_from_db()
    return scorecard


def scorecard_generate_quarter(*, year: int, quarter: int, actor_user=None) -> list[Scorecard]:
    """Every active template's scorecards of the quarter for its staff; drafts already there are
    recomputed, signed-off ones left alone. Safe to run again (the periodic task runs it nightly)."""
    result = []
    for template in ScorecardTemplate.objects.filter(is_active=True).prefetch_related("indicators"):
        for staff in selectors.staff_for_template(template):
            existed = Scorecard.objects.filter(template=template, person_id=staff.user_id, year=year,
                                               quarter=quarter).exists()
            scorecard = scorecard_generate(template=template, staff=staff, year=year, quarter=quarter,
                                           actor_user=actor_user)
            if existed and scorecard.status == ScorecardStatus.DRAFT:
                scorecard = scorecard_refresh(scorecard=scorecard, actor_user=actor_user)
            result.append(scorecard)
    return result


def _can_see(actor: Any, scorecard: Scorecard) -> bool:
    """The system (the nightly recompute) sees every scorecard; people see theirs and their subtree's."""
    if actor is SYSTEM:
        return True
    return selectors.scorecard_list_for_actor(actor=actor).filter(pk=scorecard.pk).exists()


def _locked() -> Conflict:
    return Conflict(_("This scorecard is signed off and locked."), code="locked")


def _indicator_line(scorecard: Scorecard, indicator_code: str) -> ScorecardLine:
    """The manual line the value is for (400 naming `indicator` otherwise)."""
    line = scorecard.lines.select_related("indicator").filter(indicator__code=indicator_code).first()
    if line is None:
        raise field_error("indicator", _("indicator: this scorecard has no indicator “%(code)s”.")
                           % {"code": indicator_code})
    if line.indicator.source != Source.MANUAL:
        raise field_error("indicator", _("indicator: “%(name)s” is computed from the records and cannot be entered.")
                           % {"name": line.indicator.display_name}, "computed")
    return line


def _authorize(actor: Any, scorecard: Scorecard, action: str, refusal: Refusal | None,
               indicator_code: str = "") -> None:
    """Who the person is, beyond the role: the entering role over the person's department enters
    (never the person), a lead ranked above the person signs off. A signed-off scorecard is locked
    (409 `locked` rather than the table's invalid_transition)."""
    if action == ScorecardAction.ENTER:
        indicator = _indicator_line(scorecard, indicator_code).indicator
        if refusal is Refusal.STATE:
            raise _locked()
        if not selectors.may_enter(actor, scorecard, indicator):
            if actor.user_id == scorecard.person_id:
                raise NotAllowed(_("You may not enter values on your own scorecard."), code="own_scorecard")
            raise NotAllowed(_("Only the role “%(role)s” over this person's department may enter “%(name)s”.") % {
                "role": RoleCode(indicator.entered_by_role).label, "name": indicator.display_name},
                code="role_not_allowed")
    if refusal is Refusal.STATE:
        raise _locked()
    if action == ScorecardAction.SIGN_OFF and not selectors.may_sign_off(actor, scorecard):
        raise NotAllowed(_("Only a lead above this person, over their department, may sign the scorecard off."),
                         code="role_not_allowed")


def _apply(scorecard: Scorecard, actor: Any, action: str, data: dict, now: datetime) -> Change:
    """The action's own validation and writes to the lines (the kernel's gate did the rest)."""
    if action == ScorecardAction.REFRESH:
        changed = _refresh_lines(scorecard, now)
        return Change(changes={"total_score": _total(scorecard), "computed_at": now}, data={"lines": changed})
    if action == ScorecardAction.ENTER:
        line = _indicator_line(scorecard, data["indicator_code"])
        value = _decimal("value", data.get("value"))
        note = str(data.get("note") or "").strip()
        if len(note) > 500:
            raise field_error("note", _("note: keep it under 500 characters."))
        previous = line.value
        line.value, line.note, line.entered_by_id, line.entered_at = value, note, actor.user_id, now
        _score_line(line)
        line.save(update_fields=["value", "note", "entered_by", "entered_at", "score", "weighted"])
        return Change(changes={"total_score": _total(scorecard)}, body=note,
                      data={"indicator": line.indicator.code, "value": str(value), "score": str(line.score),
                            "previous": None if previous is None else str(previous)})
    # sign_off: every manual line has its value; the computed lines are recomputed a last time.
    missing = {f"lines.{line.indicator.code}": [_("%(name)s: enter its value before signing off.")
                                                % {"name": line.indicator.display_name}]
               for line in scorecard.lines.select_related("indicator")
               if line.indicator.source == Source.MANUAL and line.value is None}
    if missing:
        raise InvalidInput(next(iter(missing.values()))[0], code="manual_missing", fields=missing)
    changed = _refresh_lines(scorecard, now)
    total = _total(scorecard)
    return Change(changes={"total_score": total, "computed_at": now, "signed_off_by_id": actor.user_id,
                           "signed_off_at": now},
                  data={"total_score": str(total), "lines": changed})


def _record_transition(scorecard: Scorecard, *, action: str, actor_user: Any, now: datetime, from_status: str,
                       to_status: str, change: Change) -> ScorecardEvent:
    return _event(scorecard, action=action, actor_user=actor_user, now=now, body=change.body, data=change.data)


FLOW = Workflow(
    model=Scorecard, table=workflow.TABLE, subject=gettext_lazy("scorecard"),
    not_found=gettext_lazy("Scorecard not found."), action_label=choices_label(ScorecardAction),
    status_label=choices_label(ScorecardStatus),
    queryset=lambda: Scorecard.objects.select_related("department", "person__staff__role"),
    can_see=_can_see, authorize=_authorize, apply=_apply, record_event=_record_transition)


def scorecard_refresh(*, scorecard: Scorecard | int, actor_user=None, expected_version: int | None = None) -> Scorecard:
    """Recompute the computed lines of a draft scorecard from the period's records (409 once
    locked); without `actor_user` it runs as the system (the nightly recompute)."""
    actor = require_actor(actor_user) if actor_user is not None else SYSTEM
    return run_transition(FLOW, obj=scorecard, action=ScorecardAction.REFRESH, actor=actor, actor_user=actor_user,
                          expected_version=expected_version)


def scorecard_enter_value(*, scorecard: Scorecard | int, indicator_code: str, value, actor_user, note: str = "",
                          expected_version: int | None = None) -> Scorecard:
    """Record a manual line's value (0–100: points, or percent for threshold rules), by the
    indicator's entering role over the person's department; the total is recomputed."""
    code = str(indicator_code or "")
    flow = replace(FLOW, authorize=partial(_authorize, indicator_code=code))
    return run_transition(flow, obj=scorecard, action=ScorecardAction.ENTER, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version,
                          data={"indicator_code": code, "value": value, "note": note})


def scorecard_sign_off(*, scorecard: Scorecard | int, actor_user, expected_version: int | None = None) -> Scorecard:
    """Sign the scorecard off (a lead ranked above the person, over their department): the
    computed lines are recomputed a last time, every manual line must have its value, and the
    scorecard is locked for good."""
    return run_transition(FLOW, obj=scorecard, action=ScorecardAction.SIGN_OFF, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version)


# --- semi-annual reviews ----------------------------------------------------------------------------

@transaction.atomic
def competency_review_submit(*, actor_user, person, year: int, half: int, scores: dict,
                             comment: str = "") -> CompetencyReview:
    """Record a person's semi-annual competency and attitude review (a lead ranked above them,
    over their department): a 1–5 score for every item of their role's form. Once per half-year."""
    actor = require_actor(actor_user)
    staff = getattr(person, "staff", None)
    if staff is None or not selectors.reviewable_staff(actor=actor).filter(pk=staff.pk).exists():
        raise NotAllowed(_("You may not review this person."), code="role_not_allowed")
    if half not in (1, 2):
        raise field_error("half", _("half: give 1 or 2."))
    if not isinstance(year, int) or year < 2000 or year > 2100:
        raise field_error("year", _("year: give a year."))
    form = selectors.review_form_for(staff)
    if CompetencyReview.objects.filter(person=person, year=year, half=half).exists():
        raise Conflict(_("This person has already been reviewed for that half-year."), code="already_reviewed")
    if not isinstance(scores, dict):
        raise field_error("scores", _("scores: give a score from 1 to 5 for every item."), "required")
    rows, errors = [], {}
    for item in form.items.all():  # type: ignore[union-attr]  # not None on this path (set or checked before)
        raw = scores.get(str(item.pk), scores.get(item.pk))
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            value = None
        if value is None or value < 1 or value > 5:
            errors[f"scores.{item.pk}"] = [_("%(item)s: give a score from 1 to 5.") % {"item": item.display_name}]
        else:
            rows.append((item, value))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    average = scoring.q2(Decimal(sum(v for _i, v in rows)) / len(rows)) if rows else Decimal("0")
    try:
        with transaction.atomic():
            review = CompetencyReview.objects.create(form=form, person=person, department=staff.department, year=year,  # type: ignore[misc]  # not None on this path (set or checked before)
                                                     half=half, reviewer=actor_user, status=ReviewStatus.SUBMITTED,
                                                     average=average, comment=str(comment or "").strip()[:5000])
    except IntegrityError:
        raise Conflict(_("This person has already been reviewed for that half-year."), code="already_reviewed") from None
    CompetencyReviewScore.objects.bulk_create([CompetencyReviewScore(review=review, item=item, score=value)
                                               for item, value in rows])
    return review

