"""Report schedules as their readers see them: which ones, whether the reader may change one, the
labels of their scopes and the scope keys their owner no longer sees (the list page, the API and
the schedule services share these rules)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.choices import RoleCode, Visibility
from kefu.org.selectors import Actor, actor_for_user, user_display_name
from kefu.reports.models import GeneratedReport, ReportSchedule
from kefu.reports.selectors.scope import scope_options

SCOPE_KEYS = ("site", "department", "team", "agent")


def schedule_may_change(*, actor: Actor, schedule: ReportSchedule) -> bool:
    return schedule.owner_id == actor.user_id or actor.role == RoleCode.ADMINISTRATOR


def _schedule_visible(actor: Actor, schedule: ReportSchedule) -> bool:
    return schedule.owner_id == actor.user_id or actor.visibility == Visibility.ALL


def schedule_list_for_actor(*, actor: Actor) -> QuerySet[ReportSchedule]:
    """The schedules the actor sees (their own; every one for roles that see all orders), each
    with its latest generated file (`latest_id`, `latest_start`, `latest_end`) in the same query."""
    latest = GeneratedReport.objects.filter(schedule=OuterRef("pk")).order_by("-created_at", "-id")
    qs = ReportSchedule.objects.select_related("owner__staff").annotate(
        latest_id=Subquery(latest.values("pk")[:1]), latest_start=Subquery(latest.values("period_start")[:1]),
        latest_end=Subquery(latest.values("period_end")[:1]))
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(owner_id=actor.user_id)
    return qs.order_by("name", "id")


def schedule_get_for_actor(*, actor: Actor, pk) -> ReportSchedule:
    schedule = schedule_list_for_actor(actor=actor).filter(pk=pk).first()
    if schedule is None:
        raise NotFound(_("Report schedule not found."))
    return schedule


def schedule_scope_held_back(schedules, *, reader: Actor | None = None) -> dict[int, list[str]]:
    """{schedule id: [scope keys]} for the schedules whose scope their owner no longer sees (or
    that names a row since deleted): delivery skips them (report_schedules_run) until the scope or
    the owner's department is fixed, and the list says so. Set-based: per owner with a scoped
    schedule, their actor and one query per scope key, however many schedules they own."""
    from collections import defaultdict

    by_owner: dict[int, list[ReportSchedule]] = defaultdict(list)
    for schedule in schedules:
        if any(schedule.scope.get(key) for key in SCOPE_KEYS):
            by_owner[schedule.owner_id].append(schedule)
    held: dict[int, list[str]] = {}
    for owned in by_owner.values():
        owner = owned[0].owner
        actor = reader if reader is not None and reader.user_id == owner.pk else actor_for_user(owner)
        options = scope_options(actor=actor, active_only=False)
        seen: dict[str, set[int]] = {}
        for key in SCOPE_KEYS:
            wanted = {int(s.scope[key]) for s in owned if s.scope.get(key)}
            if wanted:
                lookup = "user_id" if key == "agent" else "pk"
                seen[key] = set(options[key].filter(**{f"{lookup}__in": wanted}).values_list(lookup, flat=True))
        for schedule in owned:
            keys = [k for k in SCOPE_KEYS if schedule.scope.get(k) and int(schedule.scope[k]) not in seen[k]]
            if keys:
                held[schedule.pk] = keys
    return held


def schedule_scope_labels(schedules) -> dict[int, dict[str, str]]:
    """{schedule id: {"site": "…", "team": "…"}} for many schedules in at most three queries (the
    report pages' labels; an id whose row is gone shows as "#id")."""
    from django.contrib.auth import get_user_model

    from kefu.customers.models import Site
    from kefu.org.models import Department

    wanted: dict[str, set[int]] = {k: set() for k in SCOPE_KEYS}
    for schedule in schedules:
        for key in SCOPE_KEYS:
            if schedule.scope.get(key):
                wanted[key].add(int(schedule.scope[key]))
    names: dict[str, dict[int, str]] = {k: {} for k in SCOPE_KEYS}
    if wanted["site"]:
        names["site"] = {s.pk: str(s) for s in Site.objects.filter(pk__in=wanted["site"])}
    if wanted["department"] or wanted["team"]:
        departments = dict(Department.objects.filter(pk__in=wanted["department"] | wanted["team"])
                           .values_list("pk", "name"))
        names["department"] = names["team"] = departments
    if wanted["agent"]:
        for user in get_user_model().objects.filter(pk__in=wanted["agent"]).select_related("staff"):
            names["agent"][user.pk] = user_display_name(user)
    return {s.pk: {k: names[k].get(int(s.scope[k]), f"#{s.scope[k]}") for k in SCOPE_KEYS if s.scope.get(k)}
            for s in schedules}
