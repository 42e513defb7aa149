"""Every write to a corrective action notice. `corrective_action_transition` is the one gate for
state changes (the same shape as the work-order gate, docs/adr/0001 and 0002).

In one transaction it checks visibility (404), the transition table and who the actor is (403),
the state (409), required fields (400); compares-and-swaps the notice's `version` (409
concurrent_change); and writes one immutable CorrectiveActionEvent. `corrective_action_create`
(by hand, issued at once) and `corrective_action_propose` (automatic, idempotent on
`reference`) are the two entries; `corrective_action_escalate_overdue` is the periodic sweep.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import NotAllowed, field_error, required_field
from kefu.core.numbering import next_number
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, run_transition
from kefu.improvement import selectors, workflow
from kefu.improvement.choices import OWNER_PENDING, Action, Source, Status
from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent, ImprovementSettings
from kefu.org.models import Department
from kefu.org.selectors import Actor, require_actor, user_display_name

NUMBER_PREFIX = "CA"
EVIDENCE_KINDS = ("work_order", "survey_item", "qa_check", "link")
MAX_EVIDENCE = 200


def _text(field: str, value, *, max_length: int | None = None, required: bool = True) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise required_field(field)
    if max_length and len(value) > max_length:
        raise field_error(field, _("%(field)s: keep it under %(n)s characters.") % {"field": field, "n": max_length})
    return value


def _clean_department(actor: Actor, value) -> Department:
    if not isinstance(value, Department) or not value.is_active:
        raise field_error("responsible_department", _("responsible_department: choose an active department."))
    if not selectors.department_choices(actor=actor).filter(pk=value.pk).exists():
        raise field_error("responsible_department",
                           _("responsible_department: you may only hold your own department or those below it "
                             "responsible."))
    return value


def _clean_owner(value, department: Department):
    """The owner must be active staff inside the responsible department (or below it)."""
    if value is None:
        raise required_field("owner")
    staff = getattr(value, "staff", None)
    if not value.is_active or staff is None or not staff.is_active:
        raise field_error("owner", _("owner: the owner must be an active staff member."))
    if not staff.department.path.startswith(department.path):
        raise field_error("owner", _("owner: the owner must work in the responsible department."))
    return value


def _clean_due_date(value, today: date) -> date:
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        raise field_error("due_date", _("due_date: enter a valid date."))
    if value < today:
        raise field_error("due_date", _("due_date: the due date cannot be in the past."))
    return value


def _clean_evidence(evidence) -> list[dict]:
    if evidence in (None, ""):
        return []
    if not isinstance(evidence, list | tuple) or len(evidence) > MAX_EVIDENCE:
        raise field_error("evidence", _("evidence: give a list of at most %(n)s items.") % {"n": MAX_EVIDENCE})
    cleaned = []
    for item in evidence:
        if not isinstance(item, dict):
            raise field_error("evidence", _("evidence: every item must be an object."))
        kind = item.get("kind") or "link"
        if kind not in EVIDENCE_KINDS:
            raise field_error("evidence", _("evidence: unknown kind “%(kind)s”.") % {"kind": kind})
        url = str(item.get("url") or "")
        # Only links inside the application or to the web: never javascript: and the like.
        if url and not url.startswith(("/", "https://", "http://")):
            raise field_error("evidence", _("evidence: links must start with /, http:// or https://."))
        cleaned.append({**item, "kind": kind, "url": url, "label": str(item.get("label") or "")[:200]})
    return cleaned


def _record(notice: CorrectiveAction, *, action: str, actor_user, now, from_status: str, to_status: str,
            body: str = "", data: dict | None = None) -> CorrectiveActionEvent:
    return CorrectiveActionEvent.objects.create(notice=notice, action=action, actor=actor_user, created_at=now,
                                                from_status=from_status, to_status=to_status, body=body,
                                                data=data or {})


def _issue_fields(*, actor: Actor, actor_user_id: int, department, owner, due_date, now) -> dict:
    return {"responsible_department": department, "owner": owner, "due_date": due_date, "issued_by_id": actor_user_id,
            "issuer_role": actor.role, "issued_at": now, "escalation_step": 0,
            "next_escalation_at": selectors.due_instant(due_date)}


# --- create and propose ------------------------------------------------------------------------

@transaction.atomic
def corrective_action_create(*, actor_user, title: str, nonconformity: str, responsible_department,
                             owner, due_date, evidence: list[dict] | None = None,
                             item_code: str = "") -> CorrectiveAction:
    """Raise a notice by hand (QA or the management line): it is issued at once to `owner`."""
    actor = require_actor(actor_user)
    if actor.role not in workflow.ISSUER_ROLES:
        raise NotAllowed(_("Your role may not raise corrective action notices."), code="role_not_allowed")
    now = timezone.now()
    title = _text("title", title, max_length=200)
    nonconformity = _text("nonconformity", nonconformity)
    department = _clean_department(actor, responsible_department)
    owner = _clean_owner(owner, department)
    if due_date in (None, ""):
        raise required_field("due_date")
    due_date = _clean_due_date(due_date, timezone.localdate(now))
    evidence = _clean_evidence(evidence)
    item_code = _text("item_code", item_code, max_length=64, required=False)
    issue = _issue_fields(actor=actor, actor_user_id=actor_user.pk, department=department, owner=owner,
                          due_date=due_date, now=now)
    del issue["issued_by_id"]
    notice = CorrectiveAction.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:28]}", title=title, source=Source.MANUAL,
        nonconformity=nonconformity, evidence=evidence, item_code=item_code, status=Status.ISSUED,
        created_at=now, updated_at=now, issued_by=actor_user, **issue)
    _record(notice, action=Action.CREATE, actor_user=actor_user, now=now, from_status="", to_status=Status.ISSUED,
            data={"responsible_department": department.pk, "owner": owner.pk, "owner_name": user_display_name(owner),
                  "due_date": due_date.isoformat()})
    # Like work orders: the day's counter row is locked until commit, so take it last.
    notice.number = next_number(prefix=NUMBER_PREFIX, day=timezone.localdate(now))
    CorrectiveAction.objects.filter(pk=notice.pk).update(number=notice.number)
    return notice


def corrective_action_propose(*, source: str, reference: str, nonconformity: str, evidence: list[dict],
                              responsible_department=None, title: str = "",
                              item_code: str = "") -> CorrectiveAction | None:
    """Propose a notice automatically (a survey item below target, repeated complaints, a failed
    QA check): status `proposed`, waiting for QA or a lead to issue or dismiss it.

    Idempotent on `reference`: a second call with the same reference returns the notice the first
    one made, unchanged. Returns None when automatic proposals are switched off in the settings.
    `item_code` (or an evidence item carrying one) ties the notice to a survey item, whose rates
    before and after are then shown as its effect.
    """
    if source not in Source.values or source == Source.MANUAL:
        raise field_error("source", _("source: “%(value)s” is not an automatic source.") % {"value": source})
    reference = _text("reference", reference, max_length=200)
    existing = CorrectiveAction.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if not improvement_settings().proposals_enabled:
        return None
    nonconformity = _text("nonconformity", nonconformity)
    evidence = _clean_evidence(evidence)
    if responsible_department is not None and not isinstance(responsible_department, Department):
        raise field_error("responsible_department", _("responsible_department: choose a department."))
    item_code = item_code or next((str(e["item_code"]) for e in evidence if e.get("item_code")), "")
    title = (title or "").strip()[:200] or nonconformity.splitlines()[0][:200]
    now = timezone.now()
    try:
        with transaction.atomic():
            notice = CorrectiveAction.objects.create(
                number=f"TMP-{uuid.uuid4().hex[:28]}", title=title, source=source, reference=reference,
                nonconformity=nonconformity, evidence=evidence, item_code=item_code[:64],
                responsible_department=responsible_department, status=Status.PROPOSED, created_at=now,
                updated_at=now)
            _record(notice, action=Action.PROPOSE, actor_user=None, now=now, from_status="",
                    to_status=Status.PROPOSED, data={"source": source, "reference": reference})
            notice.number = next_number(prefix=NUMBER_PREFIX, day=timezone.localdate(now))
            CorrectiveAction.objects.filter(pk=notice.pk).update(number=notice.number)
    except IntegrityError:
        # A concurrent call with the same reference won the unique constraint: return its notice.
        existing = CorrectiveAction.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing
    return notice


def corrective_action_propose_repeated_complaints(*, year: int, month: int) -> list[CorrectiveAction]:
    """Propose one notice per category with at least the configured number of complaints in the
    calendar month (default 3), the orders as evidence, the team most of them went to as the
    responsible department. Safe to run again: the reference is the category and the month."""
    settings_row = improvement_settings()
    threshold = settings_row.repeat_complaint_threshold
    result = []
    for cluster in selectors.complaint_clusters(year=year, month=month, threshold=threshold):
        category, orders = cluster["category"], cluster["orders"]
        period = f"{year:04d}-{month:02d}"
        team = Department.objects.filter(pk=cluster["team_id"]).first() if cluster["team_id"] else None
        # A large centre can have thousands of complaints in one category and month; the notice
        # carries the first MAX_EVIDENCE as evidence (the limit every proposal obeys) and says so.
        evidence = [{"kind": "work_order", "id": o["pk"], "number": o["number"], "label": f"{o['number']} {o['title']}",
                     "url": f"/work-orders/{o['pk']}/"} for o in orders[:MAX_EVIDENCE]]
        nonconformity = _("%(count)s complaints in category “%(category)s” in %(period)s (threshold %(threshold)s).") % {
            "count": len(orders), "category": category.name, "period": period, "threshold": threshold}
        if len(orders) > MAX_EVIDENCE:
            nonconformity += " " + _("The first %(n)s are attached as evidence.") % {"n": MAX_EVIDENCE}
        notice = corrective_action_propose(
            source=Source.COMPLAINTS, reference=f"complaints:{category.code}:{period}",
            title=_("Repeated complaints: %(category)s (%(period)s)") % {"category": category.name, "period": period},
            nonconformity=nonconformity, evidence=evidence, responsible_department=team)
        if notice is not None:
            result.append(notice)
    return result


# --- the gate --------------------------------------------------------------------------------------

def _apply(notice: CorrectiveAction, actor: Actor, action: str, data: dict, now: datetime) -> Change:
    """The action's own validation and field changes (the kernel's gate did the rest)."""
    changes: dict = {}
    event_data: dict = {}
    body = (data.get("note") or "").strip()
    today = timezone.localdate(now)
    if action == Action.ISSUE:
        department = _clean_department(actor, data["responsible_department"])
        owner = _clean_owner(data["owner"], department)
        due_date = _clean_due_date(data["due_date"], today)
        changes.update(_issue_fields(actor=actor, actor_user_id=actor.user_id, department=department, owner=owner,
                                     due_date=due_date, now=now))
        event_data.update(responsible_department=department.pk, department_name=department.name, owner=owner.pk,
                          owner_name=user_display_name(owner), due_date=due_date.isoformat())
    elif action == Action.DISMISS:
        body = _text("reason", data["reason"], max_length=2000)
        changes["closed_at"] = now
    elif action == Action.RECORD_ACTION:
        changes.update(root_cause=_text("root_cause", data["root_cause"], max_length=10000),
                       action_taken=_text("action_taken", data["action_taken"], max_length=10000),
                       action_recorded_by_id=actor.user_id, next_escalation_at=None)
        body = changes["action_taken"]
        event_data["root_cause"] = changes["root_cause"]
    elif action in (Action.VERIFY_EFFECTIVE, Action.VERIFY_NOT_EFFECTIVE):
        body = _text("verification", data["verification"], max_length=10000)
        changes.update(verification=body, verified_by_id=actor.user_id, verified_at=now)
        if action == Action.VERIFY_NOT_EFFECTIVE:
            due_date = _clean_due_date(data["due_date"], today)
            changes.update(due_date=due_date, round=F("round") + 1, escalation_step=0,
                           next_escalation_at=selectors.due_instant(due_date))
            event_data.update(due_date=due_date.isoformat(), round=notice.round + 1)
        else:
            changes["next_escalation_at"] = None
    elif action == Action.CLOSE:
        changes.update(closed_at=now, next_escalation_at=None)
    elif action == Action.COMMENT:
        body = _text("body", data["body"], max_length=10000)
    # A comment does not claim the notice: a colleague's open dialog stays valid.
    return Change(changes=changes, data=event_data, body=body, moves=action != Action.COMMENT)


def _authorize(actor: Actor, notice: CorrectiveAction, action: str, refusal: Refusal | None) -> None:
    """Who the person is, beyond the role: the owner's side accepts and records; QA or the
    issuer's role verifies, never the owner nor whoever recorded the action."""
    label = Action(action).label
    if action in workflow.OWNER_SIDE_ACTIONS and not selectors.is_owner_side(actor, notice):
        raise NotAllowed(_("Only the notice's owner or their department's leads may take the action "
                           "“%(action)s”.") % {"action": label}, code="not_owner")
    if action in workflow.VERIFY_ACTIONS and not selectors.may_verify(actor, notice):
        if actor.user_id in (notice.owner_id, notice.action_recorded_by_id):
            raise NotAllowed(_("The owner, and whoever recorded the action, cannot verify their own notice."),
                             code="own_notice")
        raise NotAllowed(_("Only QA or the issuer's role may verify or close this notice."),
                         code="role_not_allowed")


def _record_transition(notice: CorrectiveAction, *, action: str, actor_user: Any, now: datetime, from_status: str,
                       to_status: str, change: Change) -> CorrectiveActionEvent:
    return _record(notice, action=action, actor_user=actor_user, now=now, from_status=from_status,
                   to_status=to_status, body=change.body, data=change.data)


FLOW = Workflow(
    model=CorrectiveAction, table=workflow.TABLE, subject=gettext_lazy("notice"),
    not_found=gettext_lazy("Corrective action notice not found."), action_label=choices_label(Action),
    status_label=choices_label(Status),
    queryset=lambda: CorrectiveAction.objects.select_related("responsible_department", "owner__staff__department"),
    can_see=selectors.can_see, authorize=_authorize, apply=_apply, record_event=_record_transition)


def corrective_action_transition(*, notice: CorrectiveAction | int, action: str, actor_user,
                                 expected_version: int | None = None, **data) -> CorrectiveAction:
    """Take `action` on the notice as `actor_user`: the only path that changes a notice (the
    kernel's gate, `kefu.core.workflow.run_transition`, with this app's table and `_apply`).

    Raises NotFound (not visible, or unknown action), NotAllowed (role; not the owner's side for
    accept/record_action; verification by the owner, by whoever recorded the action, or by a role
    other than QA and the issuer's), Conflict (state; changed since read or since
    `expected_version`), InvalidInput (missing or bad data). Nothing is written unless all pass.
    """
    return run_transition(FLOW, obj=notice, action=action, actor=require_actor(actor_user), actor_user=actor_user,
                          expected_version=expected_version, data=data)


# --- overdue escalation ----------------------------------------------------------------------------

def _fire_step(*, pk: int, step: int, round_: int, now, ladder: list[tuple[str, int]]) -> CorrectiveActionEvent | None:
    """Fire escalation step `step` (0-based) of one notice if nobody else has: claim it with a
    conditional UPDATE, then record the event and queue the emails. In the caller's transaction."""
    from kefu.notifications.services import outbox_enqueue

    notice = (CorrectiveAction.objects.select_related("owner__staff__department", "responsible_department")
              .filter(pk=pk).first())
    if notice is None or step >= len(ladder) or notice.due_date is None:
        return None
    role, _days = ladder[step]
    next_at = (selectors.due_instant(notice.due_date) + timedelta(days=ladder[step + 1][1])
               if step + 1 < len(ladder) else None)
    # The claim: a second sweeper that read the same row matches nothing here.
    claimed = CorrectiveAction.objects.filter(
        pk=pk, escalation_step=step, round=round_, status__in=OWNER_PENDING, next_escalation_at__lte=now,
    ).update(escalation_step=step + 1, next_escalation_at=next_at)
    if claimed != 1:
        return None
    recipients = selectors.escalation_recipients(notice=notice, role=role)
    emailed = []
    for user in recipients:
        if user.email:
            outbox_enqueue(channel="email", to_address=user.email,
                           subject=_("Overdue corrective action %(number)s") % {"number": notice.number},
                           body=_("Corrective action notice %(number)s “%(title)s” was due on %(due)s and is "
                                  "still “%(status)s”. Owner: %(owner)s.\n/corrective-actions/%(pk)s/") % {
                               "number": notice.number, "title": notice.title, "due": notice.due_date.isoformat(),
                               "status": Status(notice.status).label, "owner": user_display_name(notice.owner),
                               "pk": notice.pk})
            emailed.append(user.pk)
    return _record(notice, action=Action.ESCALATE, actor_user=None, now=now, from_status=notice.status,
                   to_status=notice.status, data={
                       "step": step + 1, "notify_role": str(role), "round": round_,
                       "due_date": notice.due_date.isoformat(),
                       "recipients": [{"id": u.pk, "name": user_display_name(u)} for u in recipients], "emailed": emailed})


def corrective_action_escalate_overdue(*, now=None, limit: int = 200, max_rounds: int = 50) -> int:
    """Fire every due escalation step of overdue notices (supervisor at the due time, then manager
    and director after the configured days); returns how many fired. Each step is claimed by a
    conditional UPDATE and fires exactly once, with two workers and after a crash alike."""
    now = now or timezone.now()
    ladder = selectors.escalation_ladder(improvement_settings())
    fired = 0
    for _round in range(max_rounds):
        due = list(CorrectiveAction.objects.filter(next_escalation_at__lte=now, status__in=OWNER_PENDING)
                   .order_by("next_escalation_at", "id").values_list("pk", "escalation_step", "round")[:limit])
        if not due:
            break
        progressed = 0
        for pk, step, round_ in due:
            with transaction.atomic():
                if _fire_step(pk=pk, step=step, round_=round_, now=now, ladder=ladder) is not None:
                    progressed += 1
        fired += progressed
        if not progressed:
            break
    return fired


def improvement_settings() -> ImprovementSettings:
    """The settings row, created with the defaults on first use."""
    row, _created = ImprovementSettings.objects.get_or_create(pk=1)
    return row
