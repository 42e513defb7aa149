"""Every write of routing: rules, absences, and the automatic dispatch of new orders.

`route_work_order` is the system path the hook takes after an intake commits: it finds the first
matching rule, picks the member (round robin or least loaded, among members on duty and not
away), and dispatches the order through the work-order gate (`kefu.core.workflow.run_transition`
with the work-order flow) as the system — no user, the event's actor is empty — with the rule's id
in the `dispatch` event's `data.rule`. A person who took the order first wins: the gate answers
409 and routing leaves the order alone. Routing never writes a work order row itself.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import ApplicationError, NotAllowed, field_error
from kefu.core.workflow import Change, run_transition
from kefu.org.choices import DepartmentKind, RoleCode, Visibility
from kefu.org.models import Department
from kefu.org.selectors import Actor, require_actor
from kefu.routing import selectors
from kefu.routing.choices import Assignment
from kefu.routing.models import MemberAbsence, RoundRobinCursor, RoutingRule
from kefu.workorders.choices import Action, Channel, Status, WorkOrderType
from kefu.workorders.models import WorkOrder

logger = logging.getLogger(__name__)

# The system, as the gate sees it: sees every order, may dispatch, approves nothing.
SYSTEM_ACTOR = Actor(user_id=0, role=RoleCode.ADMINISTRATOR, department_id=None, department_path="",
                     visibility=Visibility.ALL, max_complaint_level=0, max_approval_amount=Decimal("0"),
                     is_approver=False, staff=None)
# What "load" counts for least-loaded: work given to a person and not yet resolved.
LOAD_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.ON_HOLD)
PRIORITY_LIMIT = 1_000_000


def _require_manager(actor_user: Any) -> Actor:
    actor = require_actor(actor_user)
    if actor.role not in selectors.RULE_MANAGER_ROLES:
        raise NotAllowed(_("Only supervisors and above may manage routing rules."))
    return actor


def _clean_rule(values: dict[str, Any]) -> dict[str, Any]:
    priority = values.get("priority", 100)
    if not isinstance(priority, int) or isinstance(priority, bool) or abs(priority) > PRIORITY_LIMIT:
        raise field_error("priority", _("Enter a whole number between -1000000 and 1000000."))
    for name, choices in (("type", WorkOrderType), ("channel", Channel), ("assignment", Assignment)):
        value = values.get(name) or ""
        if value and value not in choices.values:
            raise field_error(name, _("“%(value)s” is not a valid choice for %(field)s.") % {
                "value": value, "field": name})
    team = values.get("team")
    if not isinstance(team, Department) or team.kind != DepartmentKind.TEAM or not team.is_active:
        raise field_error("team", _("Choose an active team."))
    level = values.get("complaint_level")
    if level not in (None, "") and level not in (1, 2, 3):
        raise field_error("complaint_level", _("Complaint level must be 1, 2 or 3."))
    if level and values.get("type") not in ("", None, WorkOrderType.COMPLAINT):
        raise field_error("complaint_level", _("Only complaints have a complaint level."))
    site, building = values.get("site"), values.get("building")
    if site is not None and building is not None and building.site_id != site.pk:
        raise field_error("building", _("The building is not on the chosen site."))
    if (values.get("time_from") is None) != (values.get("time_until") is None):
        raise field_error("time_until", _("Give both ends of the time window, or neither."))
    if values.get("time_from") is not None and values["time_from"] == values["time_until"]:
        raise field_error("time_until", _("The time window cannot be empty."))
    name = (values.get("name") or "").strip()
    if len(name) > 100:
        raise field_error("name", _("Keep the name under 100 characters."))
    return {**values, "name": name, "priority": priority, "complaint_level": level or None,
            "type": values.get("type") or "", "channel": values.get("channel") or "",
            "assignment": values.get("assignment") or Assignment.NONE}


@transaction.atomic
def routing_rule_create(*, actor_user: Any, team: Department, priority: int = 100, name: str = "",
                        type: str = "", category: Any = None, site: Any = None, building: Any = None,
                        channel: str = "", complaint_level: int | None = None, time_from: time | None = None,
                        time_until: time | None = None, assignment: str = Assignment.NONE,
                        is_active: bool = True) -> RoutingRule:
    """A new rule (supervisors and above)."""
    _require_manager(actor_user)
    values = _clean_rule(dict(team=team, priority=priority, name=name, type=type, category=category, site=site,
                              building=building, channel=channel, complaint_level=complaint_level,
                              time_from=time_from, time_until=time_until, assignment=assignment))
    return RoutingRule.objects.create(**values, is_active=bool(is_active), created_by=actor_user)


@transaction.atomic
def routing_rule_update(*, rule: RoutingRule, actor_user: Any, **changes: Any) -> RoutingRule:
    """Change a rule's fields (supervisors and above); unknown fields are refused."""
    _require_manager(actor_user)
    fields = {f.name for f in RoutingRule._meta.get_fields()} - {"id", "created_by", "created_at"}
    unknown = set(changes) - fields
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed."))
    current = {name: getattr(rule, name) for name in fields if name != "is_active"}
    values = _clean_rule({**current, **{k: v for k, v in changes.items() if k != "is_active"}})
    for name, value in values.items():
        setattr(rule, name, value)
    if "is_active" in changes:
        rule.is_active = bool(changes["is_active"])
    rule.save()
    return rule


@transaction.atomic
def member_absence_create(*, actor_user: Any, user: Any, starts_at: datetime, ends_at: datetime,
                          reason: str = "") -> MemberAbsence:
    """Mark a member away (supervisors and above): routing skips them from `starts_at` to `ends_at`."""
    _require_manager(actor_user)
    if ends_at <= starts_at:
        raise field_error("ends_at", _("The end must be after the start."))
    return MemberAbsence.objects.create(user=user, starts_at=starts_at, ends_at=ends_at, reason=(reason or "")[:200])


# --- the decision --------------------------------------------------------------------------------

def _next_after(members: list[int], last: int | None) -> list[int]:
    """The members in round-robin order starting after `last`."""
    if last is None:
        return members
    after = [m for m in members if m > last]
    return after + [m for m in members if m <= last]


def choose_assignee(*, team: Department, assignment: str, at: datetime) -> int | None:
    """The member to give the next order of `team` to (None: the team only), moving the team's
    round-robin cursor. Runs in the caller's transaction; the cursor row is locked until it
    commits, so two intakes for one team never pick the same turn."""
    if assignment == Assignment.NONE or not selectors.team_on_duty(team, at):
        return None
    members = selectors.members_available(team, at)
    if not members:
        return None
    RoundRobinCursor.objects.get_or_create(team=team)
    cursor = RoundRobinCursor.objects.select_for_update().get(team=team)
    order = _next_after(members, cursor.last_user_id)
    if assignment == Assignment.LEAST_LOADED:
        loads = dict(WorkOrder.objects.filter(assignee_id__in=members, status__in=LOAD_STATUSES)
                     .values("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))
        lowest = min(loads.get(m, 0) for m in members)
        chosen = next(m for m in order if loads.get(m, 0) == lowest)
    else:
        chosen = order[0]
    RoundRobinCursor.objects.filter(pk=cursor.pk).update(last_user_id=chosen, updated_at=timezone.now())
    return chosen


def _flow_with_rule(rule: RoutingRule) -> Any:
    """The work-order flow whose dispatch event also names the rule (and says it was routed)."""
    from kefu.workorders.services import FLOW

    def apply(order: WorkOrder, actor: Any, action: str, data: dict[str, Any], now: datetime) -> Change:
        change = FLOW.apply(order, actor, action, data, now)
        change.data.update(rule=rule.pk, rule_name=rule.name, assignment=rule.assignment, routed=True)
        return change

    return dataclasses.replace(FLOW, apply=apply)


def route_work_order(*, work_order_id: int) -> WorkOrder | None:
    """Dispatch a new order by the first matching rule, as the system (see the module docstring).
    Returns the dispatched order, or None when no rule matches or someone acted first."""
    from django.contrib.auth import get_user_model

    order = WorkOrder.objects.filter(pk=work_order_id, status=Status.NEW).first()
    if order is None:
        return None
    rule = selectors.matching_rule(order)
    if rule is None:
        return None
    try:
        with transaction.atomic():
            now = timezone.now()
            assignee_id = choose_assignee(team=rule.team, assignment=rule.assignment, at=now)
            assignee = (get_user_model().objects.select_related("staff__department").get(pk=assignee_id)
                        if assignee_id else None)
            return run_transition(_flow_with_rule(rule), obj=order.pk, action=Action.DISPATCH, actor=SYSTEM_ACTOR,
                                  actor_user=None, data={"team": rule.team, "assignee": assignee})
    except ApplicationError as error:  # taken by a person first (409), or the team closed since
        logger.info("routing left order %s alone: %s", work_order_id, error)
        return None


def _router(pk: int) -> Any:
    def route() -> None:
        route_work_order(work_order_id=pk)
    return route


def route_on_events(*, events: Any, orders: Any) -> None:
    """Hook (last in KEFU_WORK_ORDER_HOOKS): after an intake commits, route the new order.

    It never calls the gate inside the writer's transaction: the dispatch runs after commit, in
    its own transaction, through the gate."""
    if not RoutingRule.objects.filter(is_active=True).exists():
        return
    for event in events:
        transaction.on_commit(_router(event.work_order_id))


route_on_events.actions = frozenset({Action.CREATE})  # type: ignore[attr-defined]
