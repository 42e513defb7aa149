"""Reads of patrols, scoped to the actor: routes and rounds of their department subtree (all for
roles that see everything; their own rounds always; vendors none), the site-walk standard."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.core.errors import NotFound
from kefu.org.choices import RoleCode, Visibility
from kefu.org.models import Department
from kefu.org.selectors import Actor, user_display_name
from kefu.patrols.choices import RoundStatus
from kefu.patrols.models import ChecklistItem, Checkpoint, Finding, PatrolRound, PatrolRoute


def _scope_q(actor: Actor, prefix: str = "") -> Q:
    if actor.visibility == Visibility.ALL and actor.role != RoleCode.VENDOR:
        return Q()
    if actor.role == RoleCode.VENDOR or not actor.department_path:
        return Q(pk__in=[])
    return Q(**{f"{prefix}department__path__startswith": actor.department_path})


def _ancestor_ids(actor: Actor) -> list[int]:
    return [int(part) for part in actor.department_path.strip("/").split("/") if part.isdigit()]


def route_list_for_actor(*, actor: Actor) -> QuerySet[PatrolRoute]:
    """Routes of the actor's department subtree and of the departments above it (a steward walks
    the routes of the service center they belong to)."""
    scope = _scope_q(actor)
    if scope and actor.role != RoleCode.VENDOR and actor.department_path:
        scope |= Q(department_id__in=_ancestor_ids(actor))
    return (PatrolRoute.objects.filter(scope).select_related("department", "site")
            .prefetch_related(Prefetch("checkpoints", Checkpoint.objects.prefetch_related(
                Prefetch("items", ChecklistItem.objects.order_by("sequence"))).order_by("sequence")))
            .order_by("name", "id"))


def round_visibility_q(actor: Actor) -> Q:
    if actor.role == RoleCode.VENDOR:
        return Q(pk__in=[])
    scope = _scope_q(actor, "route__")
    return scope if not scope else Q(assignee_id=actor.user_id) | scope  # Q() | x would be x alone


def round_list_for_actor(*, actor: Actor) -> QuerySet[PatrolRound]:
    return (PatrolRound.objects.filter(round_visibility_q(actor))
            .select_related("route", "assignee__staff").order_by("-due_at", "id"))


def can_see_round(actor: Actor, round: PatrolRound) -> bool:
    if actor.role == RoleCode.VENDOR:
        return False
    if round.assignee_id == actor.user_id or (actor.visibility == Visibility.ALL):
        return True
    return bool(actor.department_path) and round.route.department.path.startswith(actor.department_path)


def round_get_for_actor(*, actor: Actor, pk: Any) -> PatrolRound:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("patrol round") from None
    found = round_list_for_actor(actor=actor).filter(pk=pk).first()
    if found is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("Patrol round not found."))
    return found


def round_detail(*, round: PatrolRound) -> dict[str, Any]:
    """The round as the phone page and the API show it: checkpoints in order with their items,
    whether each is visited, and the findings."""
    checkpoints = list(Checkpoint.objects.filter(route_id=round.route_id).order_by("sequence")
                       .prefetch_related(Prefetch("items", ChecklistItem.objects.order_by("sequence"))))
    visits = {v.checkpoint_id: v for v in round.visits.prefetch_related("answers")}
    findings = list(Finding.objects.filter(round=round).select_related("checkpoint", "item", "work_order",
                                                                       "answer"))
    return {"round": round, "checkpoints": [{"checkpoint": c, "items": list(c.items.all()), "visit": visits.get(c.pk)}
                                            for c in checkpoints],
            "findings": findings, "done": len(visits), "total": len(checkpoints)}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def site_walk_standard(*, actor: Actor, week: date) -> list[dict[str, Any]]:
    """Per person, for the week (Monday–Sunday, local) containing `week`: rounds due, completed,
    on time, late, missed, still open, and whether the standard is met (every due round done)."""
    start = week_start(week)
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    end = begin + timedelta(days=7)
    rows: dict[int, dict[str, Any]] = defaultdict(lambda: {"due": 0, "completed": 0, "on_time": 0, "late": 0,
                                                           "missed": 0, "open": 0})
    names: dict[int, str] = {}
    for r in round_list_for_actor(actor=actor).filter(due_at__gte=begin, due_at__lt=end):
        row = rows[r.assignee_id]
        names[r.assignee_id] = user_display_name(r.assignee)
        row["due"] += 1
        if r.status == RoundStatus.COMPLETED:
            row["completed"] += 1
            row["late" if r.is_late else "on_time"] += 1
        elif r.status == RoundStatus.MISSED:
            row["missed"] += 1
        else:
            row["open"] += 1
    return [{"assignee": pk, "name": names[pk], "week": start.isoformat(), **row,
             "met": row["completed"] == row["due"]}
            for pk, row in sorted(rows.items(), key=lambda kv: names[kv[0]])]


def departments_for_routes(*, actor: Actor) -> QuerySet[Department]:
    qs = Department.objects.filter(is_active=True)
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(path__startswith=actor.department_path)
    return qs.order_by("path")
