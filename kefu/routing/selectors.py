"""Reads of routing: which rule matches an order, who in a team is on duty, the rule list.

`matching_rule` is the one definition of "first match by precedence": active rules ordered by
`priority` then id, each match field empty = any, a category matching itself and every category
below it, a time window in the site's local time (it may wrap past midnight).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kefu.org.choices import RoleCode
from kefu.org.models import Department, Staff
from kefu.routing.models import MemberAbsence, RoutingRule
from kefu.workorders.models import Category, WorkOrder

# Who receives routed work inside a team; supervisors and above dispatch, they are not routed to.
MEMBER_ROLES = frozenset({RoleCode.TECHNICIAN, RoleCode.VENDOR, RoleCode.STEWARD, RoleCode.AGENT})
# Roles that may read and write the rules (those who dispatch by hand today).
RULE_MANAGER_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR,
                                RoleCode.ADMINISTRATOR})


def active_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_active=True).select_related("team").order_by("priority", "id"))


def rule_list() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("team", "category", "site", "building").order_by("priority", "id")


def _category_and_ancestors(category_id: int | None) -> set[int]:
    if category_id is None:
        return set()
    parents = dict(Category.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    current: int | None = category_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def _in_window(rule: RoutingRule, at: time) -> bool:
    if rule.time_from is None or rule.time_until is None:
        return True
    if rule.time_from <= rule.time_until:
        return rule.time_from <= at < rule.time_until
    return at >= rule.time_from or at < rule.time_until  # e.g. 22:00 → 06:00


def matching_rule(order: WorkOrder, rules: Iterable[RoutingRule] | None = None) -> RoutingRule | None:
    """The first active rule (by priority, then id) whose every non-empty field matches."""
    rules = active_rules() if rules is None else list(rules)
    if not rules:
        return None
    categories: set[int] | None = None
    building_id: int | None | bool = False  # False: not read yet
    local = timezone.localtime(order.received_at).time()
    for rule in rules:
        if rule.type and rule.type != order.type:
            continue
        if rule.channel and rule.channel != order.channel:
            continue
        if rule.complaint_level and rule.complaint_level != order.complaint_level:
            continue
        if rule.site_id and rule.site_id != order.site_id:
            continue
        if rule.building_id:
            if building_id is False:
                from kefu.customers.models import Asset

                building_id = (Asset.objects.filter(pk=order.asset_id).values_list("building_id", flat=True).first()
                               if order.asset_id else None)
            if rule.building_id != building_id:
                continue
        if rule.category_id:
            if categories is None:
                categories = _category_and_ancestors(order.category_id)
            if rule.category_id not in categories:
                continue
        if not _in_window(rule, local):
            continue
        return rule
    return None


def team_on_duty(team: Department, at: datetime) -> bool:
    """Whether `at` is working time on the team's own calendar (always, without one)."""
    from kefu.sla.selectors import calendar_spec, team_calendar

    calendar = team_calendar(team.pk)
    if calendar is None:
        return True
    spec = calendar_spec(calendar=calendar)
    local = at.astimezone(spec.tz)
    intervals, _missing_year = spec.day(local.date())
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in intervals)


def members_available(team: Department, at: datetime) -> list[int]:
    """User ids of the team's members (its subtree) who may take routed work at `at`: active,
    in a member role, not away. Ordered by user id (the round-robin order)."""
    away = MemberAbsence.objects.filter(user_id=OuterRef("user_id"), starts_at__lte=at, ends_at__gt=at)
    return list(Staff.objects.filter(is_active=True, user__is_active=True, department__path__startswith=team.path,
                                     department__is_active=True, role__code__in=MEMBER_ROLES)
                .annotate(away=Exists(away)).filter(away=False)
                .order_by("user_id").values_list("user_id", flat=True))
