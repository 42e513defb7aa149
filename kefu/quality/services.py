"""Every write to QA checks. `qa_check_transition` is the one gate for state changes (the same
shape as the work-order gate, docs/adr/0001 and 0002): in one transaction it checks visibility
(404), the transition table and who the actor is (403), the state (409), required fields and
the scores (400); compares-and-swaps the check's `version` (409 concurrent_change); and writes
one immutable QACheckEvent. `qa_sample_week` is the other entry (the weekly draw).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, field_error
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.org.selectors import Actor, require_actor
from kefu.quality import sampling, selectors, workflow
from kefu.quality.choices import AppealDecision, CheckAction, CheckStatus
from kefu.quality.models import QACheck, QACheckEvent, QACheckItemScore, QAForm, QualitySettings

MAX_TEXT = 5000


def _text(field: str, value, *, required: bool = True) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise field_error(field, _("This field is required: %(field)s") % {"field": field}, "required")
    if len(value) > MAX_TEXT:
        raise field_error(field, _("%(field)s: keep it under %(n)s characters.") % {"field": field, "n": MAX_TEXT})
    return value


def _record(check: QACheck, *, action: str, actor_user, now, from_status: str, to_status: str, body: str = "",
            data: dict | None = None) -> QACheckEvent:
    return QACheckEvent.objects.create(qa_check=check, action=action, actor=actor_user, created_at=now,
                                       from_status=from_status, to_status=to_status, body=body, data=data or {})


def clean_scores(form: QAForm, scores) -> list[tuple]:
    """`scores` → [(item, points, remark)] for every item of the form, or InvalidInput naming the
    field `scores.<item code>`. Accepts {code: points} or {code: {"points": …, "remark": …}}."""
    if not isinstance(scores, dict) or not scores:
        raise field_error("scores", _("scores: give a score from 0 to 100 for every item."), "required")
    items = list(form.items.all())
    known = {item.code for item in items}
    unknown = sorted(set(map(str, scores)) - known)
    if unknown:
        raise field_error(f"scores.{unknown[0]}", _("scores: unknown item “%(code)s”.") % {"code": unknown[0]})
    result, errors = [], {}
    for item in items:
        raw = scores.get(item.code)
        remark = ""
        if isinstance(raw, dict):
            remark = str(raw.get("remark") or "").strip()[:500]
            raw = raw.get("points")
        try:
            points = Decimal(str(raw).strip()) if raw not in (None, "") else None
        except (InvalidOperation, ValueError):
            points = None
        if points is None or not points.is_finite():
            errors[f"scores.{item.code}"] = [_("%(item)s: enter a score from 0 to 100.") % {"item": item.display_name}]
        elif points < 0 or points > 100:
            errors[f"scores.{item.code}"] = [_("%(item)s: the score must lie between 0 and 100.")
                                             % {"item": item.display_name}]
        else:
            result.append((item, points.quantize(Decimal("0.01")), remark))
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors)
    return result


def _write_scores(check: QACheck, rows: list[tuple]) -> Decimal:
    QACheckItemScore.objects.filter(qa_check=check).delete()
    QACheckItemScore.objects.bulk_create([QACheckItemScore(qa_check=check, item=item, points=points, remark=remark)
                                          for item, points, remark in rows])
    return sampling.weighted_score((item.weight, points) for item, points, _remark in rows)


# --- sampling -----------------------------------------------------------------------------------

def qa_sample_week(*, week_start: date, per_agent: int | None = None, form: QAForm | None = None) -> list[QACheck]:
    """Draw each active agent's sample of the week (Monday `week_start`): `per_agent` of the
    orders they received (default: the settings row), reproducibly (seeded by agent and week).

    Safe to run again: an agent already sampled for the week is skipped, so a second run (or a
    second worker) creates nothing. Returns the checks created."""
    week_start = sampling.week_start_of(week_start)
    per_agent = per_agent if per_agent is not None else quality_settings().samples_per_agent
    if not isinstance(per_agent, int) or per_agent < 1 or per_agent > 100:
        raise field_error("per_agent", _("per_agent: sample between 1 and 100 orders per agent."))
    form = form or selectors.active_form()
    if form is None:
        raise Conflict(_("There is no active QA form to sample with."), code="no_form")
    start, end = sampling.week_bounds(week_start, timezone.get_current_timezone())
    created = []
    for staff in selectors.sampled_agents():
        if QACheck.objects.filter(agent_id=staff.user_id, week_start=week_start).exists():
            continue
        ids = selectors.sampling_population(agent_id=staff.user_id, start=start, end=end)
        picked = sampling.draw(ids, seed=sampling.seed_for(agent_id=staff.user_id, week_start=week_start),
                               size=per_agent)
        if not picked:
            continue
        now = timezone.now()
        try:
            with transaction.atomic():
                for rank, order_id in enumerate(picked, 1):
                    check = QACheck.objects.create(work_order_id=order_id, agent_id=staff.user_id,
                                                   department_id=staff.department_id, form=form,
                                                   week_start=week_start, created_at=now, updated_at=now)
                    _record(check, action=CheckAction.SAMPLE, actor_user=None, now=now, from_status="",
                            to_status=CheckStatus.PENDING,
                            data={"week_start": week_start.isoformat(), "rank": rank, "population": len(set(ids)),
                                  "per_agent": per_agent})
                    created.append(check)
        except IntegrityError:
            # A concurrent run sampled this agent first: its rows stand.
            continue
    return created


# --- the gate -------------------------------------------------------------------------------------

def _apply(check: QACheck, actor: Actor, action: str, data: dict, now: datetime) -> Change:
    """Validate the action's own data and write item scores (the kernel's gate did the rest)."""
    changes: dict = {}
    event_data: dict = {}
    body = ""
    if action in (CheckAction.SCORE, CheckAction.AMEND):
        rows = clean_scores(check.form, data.get("scores"))
        comment = _text("comment", data.get("comment"), required=action == CheckAction.AMEND)
        score = _write_scores(check, rows)
        passed = score >= check.form.pass_threshold
        changes.update(score=score, passed=passed)
        event_data.update(score=str(score), passed=passed, threshold=str(check.form.pass_threshold),
                          items={item.code: str(points) for item, points, _r in rows})
        body = comment
        if action == CheckAction.SCORE:
            changes.update(comment=comment, scored_by_id=actor.user_id, scored_at=now)
        else:
            changes.update(appeal_decision=AppealDecision.AMENDED, appeal_comment=comment, original_score=check.score,
                           decided_by_id=actor.user_id, decided_at=now)
            event_data["previous_score"] = str(check.score)
    elif action == CheckAction.APPEAL:
        body = _text("reason", data.get("reason"))
        changes.update(appeal_reason=body, appealed_at=now)
    elif action == CheckAction.UPHOLD:
        body = _text("comment", data.get("comment"))
        changes.update(appeal_decision=AppealDecision.UPHELD, appeal_comment=body, original_score=check.score,
                       decided_by_id=actor.user_id, decided_at=now)
    elif action == CheckAction.RAISE_CORRECTIVE_ACTION:
        notice = _propose_notice(check, note=_text("note", data.get("note"), required=False))
        if notice is None:
            raise Conflict(_("Automatic corrective-action proposals are switched off."), code="proposals_disabled")
        changes["corrective_action"] = notice
        event_data.update(notice=notice.pk, number=notice.number)
        body = notice.number
    return Change(changes=changes, data=event_data, body=body)


def _authorize(actor: Actor, check: QACheck, action: str, refusal: Refusal | None) -> None:
    """Who the person is, beyond the role: only the agent appeals (once); nobody scores or decides
    their own work; whoever scored a check does not decide its appeal; a notice is raised once,
    for a failed check."""
    own = selectors.is_own_work(actor, check)
    if action == CheckAction.APPEAL and not own:
        raise NotAllowed(_("Only the agent whose work was checked may appeal."), code="not_agent")
    if action != CheckAction.APPEAL and own:
        raise NotAllowed(_("You may not score or decide a QA check of your own work."), code="own_work")
    if action in workflow.DECIDE_ACTIONS and check.scored_by_id == actor.user_id:
        raise NotAllowed(_("Whoever scored the check may not decide its appeal."), code="own_score")
    if refusal is Refusal.STATE:
        if action == CheckAction.APPEAL and check.appealed_at is not None:
            raise Conflict(_("This QA check has already been appealed once."), code="already_appealed")
        return  # the gate answers invalid_transition
    if action == CheckAction.RAISE_CORRECTIVE_ACTION:
        if check.corrective_action_id:
            raise Conflict(_("A corrective action notice has already been raised for this check."),
                           code="already_raised")
        if check.passed is not False:
            raise Conflict(_("Only a failed QA check can raise a corrective action notice."), code="passed")


def _record_transition(check: QACheck, *, action: str, actor_user: Any, now: datetime, from_status: str,
                       to_status: str, change: Change) -> QACheckEvent:
    return _record(check, action=action, actor_user=actor_user, now=now, from_status=from_status,
                   to_status=to_status, body=change.body, data=change.data)


FLOW = Workflow(
    model=QACheck, table=workflow.TABLE, subject=gettext_lazy("QA check"), not_found=gettext_lazy("QA check not found."),
    action_label=choices_label(CheckAction), status_label=choices_label(CheckStatus),
    queryset=lambda: QACheck.objects.select_related("work_order", "form", "department", "agent__staff"),
    can_see=selectors.can_see, authorize=_authorize, apply=_apply, record_event=_record_transition)


def _propose_notice(check: QACheck, *, note: str):
    from kefu.improvement.services import corrective_action_propose

    order = check.work_order
    agent = getattr(check.agent, "staff", None)
    agent_name = agent.display_name if agent else check.agent.get_username()
    nonconformity = _("QA check of work order %(number)s (agent %(agent)s, week of %(week)s) scored %(score)s, "
                      "below the pass threshold %(threshold)s.") % {
        "number": order.number, "agent": agent_name, "week": check.week_start.isoformat(), "score": check.score,
        "threshold": check.form.pass_threshold}
    if note:
        nonconformity += "\n" + note
    return corrective_action_propose(
        source="qa_check", reference=f"qa_check:{check.pk}", nonconformity=nonconformity,
        title=_("Failed QA check: %(agent)s, %(number)s") % {"agent": agent_name, "number": order.number},
        evidence=[{"kind": "qa_check", "label": _("QA check %(pk)s") % {"pk": check.pk}, "url": f"/quality/{check.pk}/"},
                  {"kind": "work_order", "label": f"{order.number} {order.title}", "url": f"/work-orders/{order.pk}/"}],
        responsible_department=check.department)


def qa_check_transition(*, check: QACheck | int, action: str, actor_user, expected_version: int | None = None,
                        **data) -> QACheck:
    """Take `action` on the QA check as `actor_user`: the only path that changes a check (the
    kernel's gate, `kefu.core.workflow.run_transition`, with this app's table and `_apply`).

    Raises NotFound (not visible, or unknown action), NotAllowed (role; appeal by anyone but the
    agent; scoring or deciding one's own work; deciding an appeal on a check one scored),
    Conflict (state — a second appeal included; changed since read or since `expected_version`;
    a notice already raised or the check passed), InvalidInput (missing or bad data, scores
    outside 0–100). Nothing is written unless all pass.
    """
    return run_transition(FLOW, obj=check, action=action, actor=require_actor(actor_user), actor_user=actor_user,
                          expected_version=expected_version, data=data)


def quality_settings() -> QualitySettings:
    """The settings row, created with the defaults on first use."""
    row, _created = QualitySettings.objects.get_or_create(pk=1)
    return row
