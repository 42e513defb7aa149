"""Every write of patrols: routes with checkpoints and checklists, schedules, the planner, visits
with answers, the sweeper of missed rounds, and findings turned into work orders.

A round changes only through `patrol_round_transition` (the kernel's gate: row lock, table,
compare-and-swap on `version`, one `PatrolRoundEvent`). A visit carries the time the phone
recorded (answers may be kept offline and sent later): it is accepted when it is not in the
future and, for a round already swept as missed, when it happened before `missed_after`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, field_error, required_field
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.org.models import Department, Staff
from kefu.org.selectors import Actor, require_actor
from kefu.patrols import selectors, workflow
from kefu.patrols.choices import FindingStatus, Frequency, ItemKind, Result, RoundAction, RoundStatus
from kefu.patrols.models import (
    Answer,
    ChecklistItem,
    Checkpoint,
    CheckpointVisit,
    Finding,
    PatrolRound,
    PatrolRoundEvent,
    PatrolRoute,
    PatrolSchedule,
)

MAX_CHECKPOINTS = 100
MAX_ITEMS = 50
CLOCK_SKEW = timedelta(seconds=60)
PHOTO_MAX_BYTES = 10 * 1024 * 1024
# A missed round is escalated to the supervisor at once, to the manager a day later.
ESCALATION_STEPS = ((timedelta(0), "supervisor"), (timedelta(hours=24), "manager"))


def _require_manager(actor_user: Any) -> Actor:
    actor = require_actor(actor_user)
    if actor.role not in workflow.MANAGER_ROLES:
        raise NotAllowed(_("Only supervisors and above may plan patrols."))
    return actor


def _decimal(field: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1000000000"):
        raise field_error(field, _("Enter a number below one billion."))
    return number.quantize(Decimal("0.001"))


# --- routes and schedules ------------------------------------------------------------------------

@transaction.atomic
def patrol_route_create(*, actor_user: Any, name: str, department: Department, checkpoints: list[dict[str, Any]],
                        site: Any = None, description: str = "") -> PatrolRoute:
    """A route with its checkpoints (in the order given) and their checklists; all or nothing."""
    actor = _require_manager(actor_user)
    name = (name or "").strip()
    if not name:
        raise required_field("name")
    if len(name) > 100:
        raise field_error("name", _("Keep the name under 100 characters."))
    if department is None or not selectors.departments_for_routes(actor=actor).filter(pk=department.pk).exists():
        raise field_error("department", _("Choose a department within your scope."))
    if not checkpoints:
        raise field_error("checkpoints", _("A route needs at least one checkpoint."))
    if len(checkpoints) > MAX_CHECKPOINTS:
        raise field_error("checkpoints", _("A route has at most %(n)s checkpoints.") % {"n": MAX_CHECKPOINTS})
    route = PatrolRoute.objects.create(name=name, department=department, site=site,
                                       description=(description or "").strip()[:5000], created_by=actor_user)
    tags: set[str] = set()
    for n, spec in enumerate(checkpoints, start=1):
        cp_name = (spec.get("name") or "").strip()
        tag = (spec.get("tag") or "").strip()
        if not cp_name or len(cp_name) > 100:
            raise field_error("checkpoints", _("Checkpoint %(n)s needs a name under 100 characters.") % {"n": n})
        if not tag or len(tag) > 64 or tag in tags:
            raise field_error("checkpoints", _("Checkpoint %(n)s needs its own tag id (up to 64 characters).") % {
                "n": n})
        tags.add(tag)
        items = spec.get("items") or []
        if not items or len(items) > MAX_ITEMS:
            raise field_error("checkpoints", _("Checkpoint %(n)s needs 1 to %(max)s checklist items.") % {
                "n": n, "max": MAX_ITEMS})
        checkpoint = Checkpoint.objects.create(route=route, sequence=n, name=cp_name, tag=tag,
                                               location=(spec.get("location") or "").strip()[:200])
        for m, item in enumerate(items, start=1):
            text = (item.get("text") or "").strip()
            kind = item.get("kind") or ItemKind.PASS_FAIL
            if not text or len(text) > 200:
                raise field_error("checkpoints", _("Item %(m)s of checkpoint %(n)s needs a text under 200 "
                                                   "characters.") % {"m": m, "n": n})
            if kind not in ItemKind.values:
                raise field_error("checkpoints", _("Item %(m)s of checkpoint %(n)s has an unknown kind.") % {
                    "m": m, "n": n})
            low, high = _decimal("checkpoints", item.get("min_value")), _decimal("checkpoints", item.get("max_value"))
            if low is not None and high is not None and low > high:
                raise field_error("checkpoints", _("Item %(m)s of checkpoint %(n)s: the lowest acceptable reading "
                                                   "is above the highest.") % {"m": m, "n": n})
            ChecklistItem.objects.create(checkpoint=checkpoint, sequence=m, text=text, kind=kind,
                                         unit=(item.get("unit") or "")[:16], min_value=low, max_value=high)
    return route


def _clean_times(times: Any) -> list[str]:
    if not isinstance(times, list) or not times or len(times) > 24:
        raise field_error("times", _("Give 1 to 24 times of day (HH:MM)."))
    cleaned = []
    for value in times:
        try:
            parsed = time.fromisoformat(str(value))
        except ValueError:
            raise field_error("times", _("“%(value)s” is not a time of day (HH:MM).") % {"value": value}) from None
        cleaned.append(parsed.strftime("%H:%M"))
    if len(set(cleaned)) != len(cleaned):
        raise field_error("times", _("A time of day is listed twice."))
    return sorted(cleaned)


@transaction.atomic
def patrol_schedule_create(*, actor_user: Any, route: PatrolRoute, frequency: str, role: str = "",
                           person: Any = None, times: list[str] | None = None, per_week: int = 1,
                           grace_minutes: int = 60, workdays_only: bool = False) -> PatrolSchedule:
    """Who walks `route` and how often (a person, or everyone of `role` in its department)."""
    _require_manager(actor_user)
    if frequency not in Frequency.values:
        raise field_error("frequency", _("Choose daily or weekly."))
    if not role and person is None:
        raise field_error("role", _("Choose a role or a person."))
    if role and role not in workflow.PATROL_ROLES:
        raise field_error("role", _("This role does not patrol."))
    cleaned_times = _clean_times(times) if frequency == Frequency.DAILY else []
    if frequency == Frequency.WEEKLY and not (1 <= int(per_week) <= 21):
        raise field_error("per_week", _("Between 1 and 21 rounds a week."))
    if not (0 <= int(grace_minutes) <= 24 * 60):
        raise field_error("grace_minutes", _("Between 0 and 1440 minutes."))
    return PatrolSchedule.objects.create(route=route, frequency=frequency, role=role or "", person=person,
                                         times=cleaned_times, per_week=int(per_week),
                                         grace_minutes=int(grace_minutes), workdays_only=bool(workdays_only))


# --- the planner ---------------------------------------------------------------------------------

def is_workday(day: date) -> bool:
    """China's calendar: a make-up workday works, a holiday does not, else Monday–Friday. A year
    without holiday data follows the plain week (the SLA pages warn about such a year)."""
    from kefu.sla.models import Holiday

    kind = Holiday.objects.filter(date=day).values_list("kind", flat=True).first()
    if kind == "workday":
        return True
    if kind is not None:
        return False
    return day.weekday() < 5


def _people(schedule: PatrolSchedule) -> list[int]:
    if schedule.person_id:
        return [schedule.person_id]
    return list(Staff.objects.filter(is_active=True, user__is_active=True, role__code=schedule.role,
                                     department__path__startswith=schedule.route.department.path)
                .order_by("user_id").values_list("user_id", flat=True))


def _slots(schedule: PatrolSchedule, day: date) -> list[tuple[str, datetime, datetime, datetime]]:
    """(period, due, late after, missed after) of the schedule's slots planned on `day`."""
    tz = timezone.get_current_timezone()
    midnight = datetime.combine(day, time.min, tzinfo=tz)
    if schedule.frequency == Frequency.WEEKLY:
        if day.weekday() != 0:
            return []
        week_end = midnight + timedelta(days=7)
        iso = day.isocalendar()
        return [(f"{iso.year}-W{iso.week:02d}#{n}", midnight, week_end, week_end)
                for n in range(1, schedule.per_week + 1)]
    if schedule.workdays_only and not is_workday(day):
        return []
    starts = [datetime.combine(day, time.fromisoformat(t), tzinfo=tz) for t in schedule.times]
    day_end = midnight + timedelta(days=1)
    slots = []
    for n, due in enumerate(starts):
        missed = starts[n + 1] if n + 1 < len(starts) else day_end
        late = min(due + timedelta(minutes=schedule.grace_minutes), missed)
        slots.append((f"{day.isoformat()}T{schedule.times[n]}", due, late, missed))
    return slots


def patrol_rounds_plan(*, day: date) -> int:
    """Plan the rounds of every active schedule for `day` (weekly schedules on Mondays, for the
    week). Idempotent: a slot already planned is left alone. Returns the number of new rounds."""
    created = 0
    now = timezone.now()
    for schedule in PatrolSchedule.objects.filter(is_active=True, route__is_active=True).select_related(
            "route__department"):
        for period, due, late, missed in _slots(schedule, day):
            for user_id in _people(schedule):
                try:
                    with transaction.atomic():
                        round = PatrolRound.objects.create(
                            route=schedule.route, schedule=schedule, assignee_id=user_id, period=period,
                            due_at=due, late_after=late, missed_after=missed, updated_at=now)
                        PatrolRoundEvent.objects.create(round=round, action=RoundAction.PLAN, created_at=now,
                                                        to_status=RoundStatus.PLANNED,
                                                        data={"period": period, "schedule": schedule.pk})
                except IntegrityError:  # planned before (a second run, another worker)
                    continue
                created += 1
    return created


# --- the gate -------------------------------------------------------------------------------------

def _clean_answers(checkpoint: Checkpoint, answers: Any, photos: dict[str, UploadedFile]) -> list[dict[str, Any]]:
    items = {i.pk: i for i in checkpoint.items.all()}
    if not isinstance(answers, list):
        raise field_error("answers", _("Send the answers as a list."))
    given: dict[int, dict[str, Any]] = {}
    for answer in answers:
        if not isinstance(answer, dict):
            raise field_error("answers", _("Send the answers as a list."))
        try:
            item_id = int(answer.get("item"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise field_error("answers", _("Each answer names its checklist item.")) from None
        if item_id not in items:
            raise field_error("answers", _("Item %(item)s is not on this checkpoint.") % {"item": item_id})
        if item_id in given:
            raise field_error("answers", _("Item %(item)s is answered twice.") % {"item": item_id})
        given[item_id] = answer
    missing = [i.text for pk, i in items.items() if pk not in given]
    if missing:
        raise field_error("answers", _("Answer every item: %(item)s") % {"item": missing[0]})
    cleaned = []
    for pk, item in items.items():
        answer = given[pk]
        note = str(answer.get("note") or "").strip()
        if len(note) > 500:
            raise field_error("answers", _("Keep a note under 500 characters."))
        value = None
        photo = photos.get(str(pk))
        if item.kind == ItemKind.VALUE:
            value = _decimal("answers", answer.get("value"))
            if value is None:
                raise field_error("answers", _("Enter the reading for: %(item)s") % {"item": item.text})
            outside = ((item.min_value is not None and value < item.min_value)
                       or (item.max_value is not None and value > item.max_value))
            result = str(Result.FAIL if outside else Result.PASS)
        else:
            result = str(answer.get("result") or "")
            if item.kind == ItemKind.PHOTO and photo is None:
                raise field_error("answers", _("Take the photo for: %(item)s") % {"item": item.text})
            if result not in Result.values:
                if item.kind == ItemKind.PHOTO:
                    result = str(Result.PASS)
                else:
                    raise field_error("answers", _("Choose pass or fail for: %(item)s") % {"item": item.text})
        if photo is not None:
            if (photo.size or 0) > PHOTO_MAX_BYTES:
                raise field_error("answers", _("A photo is larger than 10 MB."))
            head = photo.read(12)
            photo.seek(0)
            if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")
                    or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
                raise field_error("answers", _("Photos must be JPEG, PNG or WebP."))
        cleaned.append({"item": item, "result": result, "value": value, "note": note, "photo": photo})
    return cleaned


def _apply(round: PatrolRound, actor: Actor, action: str, data: dict[str, Any], now: datetime) -> Change:
    if action == RoundAction.VISIT:
        checkpoint: Checkpoint = data["checkpoint"]
        if checkpoint.route_id != round.route_id:
            raise NotFound(_("This checkpoint is not on the round's route."))
        tag = str(data.get("tag") or "").strip()
        if tag != checkpoint.tag:
            raise field_error("tag", _("The tag read is not this checkpoint's tag."), "wrong_tag")
        visited_at = data.get("visited_at") or now
        if timezone.is_naive(visited_at):
            visited_at = timezone.make_aware(visited_at)
        if visited_at > now + CLOCK_SKEW:
            raise field_error("visited_at", _("The visit time cannot be in the future."))
        visited_at = min(visited_at, now)
        if visited_at < round.due_at - timedelta(hours=12):
            raise field_error("visited_at", _("The visit is long before the round was due."))
        if round.status == RoundStatus.MISSED and visited_at >= round.missed_after:
            raise Conflict(_("This round was missed; a visit after its deadline cannot be recorded."),
                           code="round_missed")
        if CheckpointVisit.objects.filter(round=round, checkpoint=checkpoint).exists():
            raise Conflict(_("This checkpoint is already recorded on this round."), code="already_visited")
        answers = _clean_answers(checkpoint, data.get("answers"), data.get("photos") or {})
        failed = [a for a in answers if a["result"] == Result.FAIL]

        def rows() -> None:
            visit = CheckpointVisit.objects.create(round=round, checkpoint=checkpoint, tag=tag, visited_at=visited_at,
                                                   recorded_at=now)
            for a in answers:
                answer = Answer.objects.create(visit=visit, item=a["item"], result=a["result"], value=a["value"],
                                               note=a["note"], photo=a["photo"])
                if a["result"] == Result.FAIL:
                    Finding.objects.create(answer=answer, round=round, checkpoint=checkpoint, item=a["item"],
                                           created_at=visited_at)

        changes = {} if round.started_at else {"started_at": visited_at}
        return Change(changes=changes, after=rows, body=checkpoint.name,
                      data={"checkpoint": checkpoint.pk, "visited_at": visited_at.isoformat(),
                            "failed": [a["item"].pk for a in failed]})
    if action == RoundAction.COMPLETE:
        total = Checkpoint.objects.filter(route_id=round.route_id).count()
        visits = list(CheckpointVisit.objects.filter(round=round).values_list("visited_at", flat=True))
        if len(visits) < total:
            raise Conflict(_("Visit every checkpoint before completing the round."), code="checkpoints_missing")
        completed_at = max(visits)
        late = completed_at > round.late_after
        return Change(changes={"completed_at": completed_at, "is_late": late},
                      data={"completed_at": completed_at.isoformat(), "late": late})
    return Change(data={"missed_after": round.missed_after.isoformat()})


def _authorize(actor: Actor, round: PatrolRound, action: str, refusal: Any) -> None:
    # A round is walked by its patroller (an administrator may record for them).
    if action in (RoundAction.VISIT, RoundAction.COMPLETE) and actor.user_id != round.assignee_id and (
            actor.role not in workflow.SYSTEM_ROLES):
        raise FLOW.refuse(Refusal.ROLE, action=action, status=round.status)


def _record(round: PatrolRound, *, action: str, actor_user: Any, now: datetime, from_status: str, to_status: str,
            change: Change) -> PatrolRoundEvent:
    return PatrolRoundEvent.objects.create(round=round, action=action, actor=actor_user, created_at=now,
                                           from_status=from_status, to_status=to_status, body=change.body,
                                           data=change.data)


FLOW = Workflow(
    model=PatrolRound, table=workflow.TABLE, subject=gettext_lazy("patrol round"),
    not_found=gettext_lazy("Patrol round not found."), action_label=choices_label(RoundAction),
    status_label=choices_label(RoundStatus), queryset=lambda: PatrolRound.objects.select_related("route__department"),
    can_see=selectors.can_see_round, authorize=_authorize, apply=_apply, record_event=_record)


def patrol_round_transition(*, round: PatrolRound | int, action: str, actor_user: Any, actor: Actor | None = None,
                            expected_version: int | None = None, **data: Any) -> PatrolRound:
    """Take `action` on the round through the kernel's gate (404/403/409/400, nothing half-written)."""
    return run_transition(FLOW, obj=round, action=action, actor=actor or require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version, data=data)


@transaction.atomic
def patrol_round_visit(*, round: PatrolRound | int, checkpoint_id: Any, actor_user: Any, tag: str,
                       answers: list[dict[str, Any]], visited_at: datetime | None = None,
                       photos: dict[str, UploadedFile] | None = None,
                       expected_version: int | None = None) -> PatrolRound:
    """Record one checkpoint of a round with its answers (failed answers become findings); the
    last checkpoint completes the round (late when the last visit was after `late_after`)."""
    round_id = round.pk if isinstance(round, PatrolRound) else round
    route_id = PatrolRound.objects.filter(pk=round_id).values_list("route_id", flat=True).first()
    try:
        checkpoint = Checkpoint.objects.get(pk=int(checkpoint_id), route_id=route_id)
    except (Checkpoint.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This checkpoint is not on the round's route.")) from None
    result = patrol_round_transition(round=round_id, action=RoundAction.VISIT, actor_user=actor_user,
                                     expected_version=expected_version, checkpoint=checkpoint, tag=tag,
                                     answers=answers, visited_at=visited_at, photos=photos or {})
    total = Checkpoint.objects.filter(route_id=route_id).count()
    if CheckpointVisit.objects.filter(round_id=round_id).count() == total:
        result = patrol_round_transition(round=round_id, action=RoundAction.COMPLETE, actor_user=actor_user)
    return result


# --- missed rounds ------------------------------------------------------------------------------------

def _system_actor() -> Actor:
    from kefu.routing.services import SYSTEM_ACTOR

    return SYSTEM_ACTOR


def patrol_rounds_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Mark rounds past `missed_after` as missed (as the system, through the gate; a round
    completed meanwhile wins), then escalate missed rounds step by step (a conditional UPDATE on
    `escalation_step` claims each step once, so two workers never escalate twice)."""
    now = now or timezone.now()
    missed = 0
    for pk in PatrolRound.objects.filter(status__in=[RoundStatus.PLANNED, RoundStatus.IN_PROGRESS],
                                         missed_after__lte=now).values_list("pk", flat=True):
        try:
            run_transition(FLOW, obj=pk, action=RoundAction.MISS, actor=_system_actor(), actor_user=None)
            missed += 1
        except Conflict:
            continue
    escalated = 0
    for step, (after, to) in enumerate(ESCALATION_STEPS, start=1):
        for pk in PatrolRound.objects.filter(status=RoundStatus.MISSED, escalation_step=step - 1,
                                             missed_after__lte=now - after).values_list("pk", flat=True):
            with transaction.atomic():
                if PatrolRound.objects.filter(pk=pk, escalation_step=step - 1).update(escalation_step=step) != 1:
                    continue
                PatrolRoundEvent.objects.create(round_id=pk, action=RoundAction.ESCALATE, created_at=now,
                                                from_status=RoundStatus.MISSED, to_status=RoundStatus.MISSED,
                                                data={"step": step, "to": to})
                escalated += 1
    return {"missed": missed, "escalated": escalated}


# --- findings -------------------------------------------------------------------------------------------

def default_finding_category() -> Any:
    from kefu.workorders.models import Category

    for category in Category.objects.filter(is_active=True, children__isnull=True).order_by("sort_order", "code"):
        if category.allows_type("repair"):
            return category
    return None


def finding_prefill(finding: Finding) -> dict[str, Any]:
    """The work order a finding becomes, pre-filled (the page shows it; one tap sends it)."""
    answer = finding.answer
    checkpoint = finding.checkpoint
    lines = [_("Patrol finding on round %(round)s, %(route)s.") % {"round": finding.round.period,
                                                                 "route": finding.round.route.name},
             _("Checkpoint: %(name)s %(location)s") % {"name": checkpoint.name, "location": checkpoint.location},
             _("Item: %(item)s") % {"item": finding.item.text}]
    if answer.value is not None:
        lines.append(_("Reading: %(value)s %(unit)s") % {"value": answer.value.normalize(), "unit": finding.item.unit})
    if answer.note:
        lines.append(_("Note: %(note)s") % {"note": answer.note})
    return {"type": "repair", "channel": "patrol", "category": default_finding_category(),
            "title": f"{checkpoint.name}：{finding.item.text}"[:200], "description": "\n".join(lines)}


@transaction.atomic
def finding_to_work_order(*, finding: Finding, actor_user: Any, category: Any = None, title: str = "",
                          description: str = "") -> Any:
    """Turn an open finding into a repair order (channel: patrol finding), pre-filled; the
    finding then points at the order. A finding already handled is a 409."""
    from kefu.workorders.services import work_order_create

    actor = require_actor(actor_user)
    locked = PatrolRound.objects.select_for_update().filter(pk=finding.round_id).first()
    if locked is None or not selectors.can_see_round(actor, PatrolRound.objects.select_related(
            "route__department").get(pk=finding.round_id)):
        raise NotFound(_("Finding not found."))
    finding = Finding.objects.select_related("answer", "checkpoint", "item", "round__route").get(pk=finding.pk)
    if finding.status != FindingStatus.OPEN:
        raise Conflict(_("This finding is already handled."), code="finding_handled")
    values = finding_prefill(finding)
    order = work_order_create(actor_user=actor_user, type=values["type"], channel=values["channel"],
                              category=category or values["category"], title=title or values["title"],
                              description=description or values["description"])
    if Finding.objects.filter(pk=finding.pk, status=FindingStatus.OPEN).update(
            status=FindingStatus.WORK_ORDER, work_order=order) != 1:
        raise Conflict(_("This finding is already handled."), code="finding_handled")
    return order


def finding_mark_nonconformity(*, finding_id: int) -> None:
    """Called by the vendors app when a finding becomes a nonconformity (in its transaction)."""
    if Finding.objects.filter(pk=finding_id, status=FindingStatus.OPEN).update(
            status=FindingStatus.NONCONFORMITY) != 1:
        raise Conflict(_("This finding is already handled."), code="finding_handled")


def user_for_schedule(pk: Any) -> Any:
    if pk in (None, ""):
        return None
    user = get_user_model().objects.filter(pk=pk, staff__isnull=False).first()
    if user is None:
        raise InvalidInput(_("Unknown staff member."), fields={"person": [_("Unknown staff member.")]})
    return user

