"""Reads of the standards register: who may read the board and change rules, the board's scope
(a site or a group = department subtree) and period, and the rule in force for a scope (a site's
own rule, else the nearest department's above it, else the register's default)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor
from kefu.reports.metrics import Period
from kefu.reports.selectors import Scope, parse_period, parse_scope
from kefu.standards.models import Standard, StandardRule, StandardRuleEvent, StandardWarning

# Vendors see only work dispatched to them: the center's standards are not theirs to read.
DENIED_ROLES = (RoleCode.VENDOR,)
RULE_ROLES = (RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR)


def require_reader(actor: Actor | None) -> Actor:
    if actor is None or actor.role in DENIED_ROLES:
        raise NotAllowed(_("Your role may not read the service standards."))
    return actor


def may_change_rules(actor: Actor | None) -> bool:
    return actor is not None and actor.role in RULE_ROLES


def parse_board_scope(params) -> Scope:
    """The board's scope: `site` or `department` (a group); unknown ids → 400 naming the field."""
    scope = parse_scope({k: params.get(k) or "" for k in ("site", "department")})
    return scope


def parse_board_period(params, scope: Scope) -> Period:
    return parse_period(params, scope)


def site_department_path(scope: Scope) -> str:
    """The department path a site belongs to ("" when none): where its group rules come from."""
    from kefu.customers.models import Site

    if not scope.site_id:
        return scope.department_path
    return Site.objects.filter(pk=scope.site_id).values_list("department__path", flat=True).first() or ""


def _ancestor_paths(path: str) -> list[str]:
    """"/1/4/9/" → ["/1/", "/1/4/", "/1/4/9/"]."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]


@dataclass(frozen=True)
class RuleInForce:
    parameters: dict
    target: Decimal
    origin: str  # "default", "site", "department"
    rule: StandardRule | None


def rules_in_force(*, standards: list[Standard], scope: Scope) -> dict[str, RuleInForce]:
    """Per standard code the parameters and target that apply to the scope (two queries)."""
    path = site_department_path(scope)
    ancestors = _ancestor_paths(path)
    q = Q(department__path__in=ancestors) if ancestors else Q(pk__in=[])
    if scope.site_id:
        q |= Q(site_id=scope.site_id)
    rules = list(StandardRule.objects.filter(q, standard__in=standards).select_related("department", "updated_by__staff"))
    found: dict[str, RuleInForce] = {}
    for standard in standards:
        defaults = dict(standard.parameters or {})
        mine = [r for r in rules if r.standard_id == standard.pk]
        site_rule = next((r for r in mine if r.site_id), None)
        dept_rules = sorted((r for r in mine if r.department_id), key=lambda r: len(r.department.path if r.department else ""), reverse=True)
        chosen, origin = (site_rule, "site") if site_rule else ((dept_rules[0], "department") if dept_rules
                                                                 else (None, "default"))
        if chosen is None:
            found[standard.code] = RuleInForce(defaults, standard.target, origin, None)
        else:
            found[standard.code] = RuleInForce({**defaults, **chosen.parameters}, chosen.target, origin, chosen)
    return found


def standards_active() -> list[Standard]:
    return list(Standard.objects.filter(is_active=True).order_by("position", "code"))


def standard_get(*, code: str) -> Standard:
    from kefu.core.errors import NotFound

    standard = Standard.objects.filter(code=code, is_active=True).first()
    if standard is None:
        raise NotFound(_("No such service standard."))
    return standard


def rule_history(*, standard: Standard, scope: Scope, limit: int = 20) -> QuerySet[StandardRuleEvent]:
    """The changes of this standard's rule for the scope's site or group, newest first."""
    qs = StandardRuleEvent.objects.filter(standard=standard).select_related("actor__staff", "site", "department")
    if scope.site_id:
        qs = qs.filter(site_id=scope.site_id)
    elif scope.department_id:
        qs = qs.filter(department_id=scope.department_id)
    else:
        qs = qs.none()
    return qs.order_by("-created_at", "-id")[:limit]


def warnings_for(*, actor: Actor, limit: int = 20) -> list[StandardWarning]:
    """The dashboard items of the standards: warnings raised for the actor's role (within their
    department subtree when the warning names a department); administrators see all."""
    qs = StandardWarning.objects.select_related("standard", "department")
    if actor.role != RoleCode.ADMINISTRATOR:
        qs = qs.filter(role=actor.role)
        if actor.visibility != "all":
            qs = qs.filter(Q(department__isnull=True) | Q(department__path__startswith=actor.department_path or "/-/"))
    return list(qs.order_by("-created_at", "-id")[:limit])


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete quarter: what a manager opens the board for."""
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    end = first - dt.timedelta(days=1)
    return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end


def _report_transaction(fn):
    """The reports' read transaction (PostgreSQL JIT off, work_mem raised, the read replica when
    fresh): the board's figures are report queries over the same tables."""
    from kefu.reports.selectors.scope import _report_transaction as report_transaction

    return report_transaction(fn)


@_report_transaction
def board(*, actor: Actor, period: Period, scope: Scope, now=None, codes: list[str] | None = None,
          records: bool = False) -> list[dict]:
    """The standards board: one row per active standard (the API's contract: code, name, rule,
    target, value, numerator, denominator, status, url) plus its definition, source, where the rule
    comes from and a detail line; `records` adds the drill-down rows."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils import timezone

    from kefu.standards import figures
    from kefu.standards.registry import DEFINITIONS

    require_reader(actor)
    now = now or timezone.now()
    standards = [s for s in standards_active() if codes is None or s.code in codes]
    rules = rules_in_force(standards=standards, scope=scope)
    query = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat(), **scope.params()})
    rows = []
    shared: dict = {}
    for standard in standards:
        definition = DEFINITIONS[standard.code]
        rule = rules[standard.code]
        ctx = figures.Context(actor=actor, period=period, scope=scope, now=now, rule=rule, shared=shared)
        result = figures.figure(code=standard.code, ctx=ctx, records=records)
        parameters = {**rule.parameters, **(result.get("rule") or {})}
        row = {"code": standard.code, "name": str(standard.get_code_display()), "rule": parameters,
               "target": float(rule.target), "value": result["value"], "numerator": result["numerator"],
               "denominator": result["denominator"], "status": str(result["status"]),
               "url": f"{reverse('standards:records', args=[standard.code])}?{query}",
               "unit": definition.unit, "definition": str(definition.definition), "source": str(definition.source),
               "origin": rule.origin, "sourced": list(definition.sourced), "detail": str(result.get("detail") or ""),
               "warn_roles": list(standard.warn_roles)}
        if result.get("next_due"):
            row["next_due"] = result["next_due"]
        if records:
            row["records"] = result["records"] or []
            row["columns"] = figures.record_columns(standard.code)
        rows.append(row)
    return rows
