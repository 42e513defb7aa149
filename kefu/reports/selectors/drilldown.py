"""The drill-down lists behind every figure: the URL parameters a figure carries, and the orders (or
survey invitations and answers) that match them — the same basis and condition as the figure, so
the list's count is the figure."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.org.selectors import Actor
from kefu.reports import metrics
from kefu.reports.metrics import Period
from kefu.reports.selectors.scope import Scope, _int, parse_period, parse_scope, require_report_actor
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import visibility_q


def drill_params(*, period: Period, scope: Scope, basis: str, condition: str = "all", kind: str = "",
                 **extra) -> dict:
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "basis": basis}
    if condition != "all":
        params["condition"] = condition
    if kind:
        params["kind"] = kind
    params.update(scope.params())
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return params


def drill_url(params: dict, *, api: bool = False) -> str:
    name = "api-report-orders" if api else "reports:orders"
    return f"{reverse(name)}?{urlencode(params)}"


DRILL_EXTRA = ("type", "channel", "category", "site_of", "team_of", "level", "status")


def drill_orders(*, actor: Actor, params, now=None) -> tuple[QuerySet[WorkOrder], dict]:
    """The orders behind a figure: the visible orders matching the parameters a figure's URL
    carries (period, scope, basis, condition, breakdown value). Bad parameters → InvalidInput."""
    require_report_actor(actor)
    now = now or timezone.now()
    scope = parse_scope(params)
    period = parse_period(params, scope)
    basis = params.get("basis") or "received"
    condition = params.get("condition") or "all"
    kind = params.get("kind") or ""
    errors = {}
    if basis not in metrics.BASES:
        errors["basis"] = [_("basis must be one of %(values)s.") % {"values": ", ".join(metrics.BASES)}]
    if condition not in metrics.CONDITIONS:
        errors["condition"] = [_("condition: unknown condition.")]
    if (basis == "clock" or condition.startswith("sla_")) and kind not in metrics.CLOCK_KINDS:
        errors["kind"] = [_("kind must be one of %(values)s.") % {"values": ", ".join(metrics.CLOCK_KINDS)}]
    if errors:
        raise InvalidInput(_("Check the drill-down parameters."), fields=errors)
    q = visibility_q(actor) & scope.q() & metrics.basis_q(basis, period, now, kind) & metrics.condition_q(
        condition, period, now, kind)
    extra = {}
    for name in DRILL_EXTRA:
        value = (params.get(name) or "").strip()
        if value:
            extra[name] = value
    if "type" in extra:
        q &= Q(type=extra["type"])
    if "channel" in extra:
        q &= Q(channel=extra["channel"])
    if "category" in extra:
        q &= Q(category__code=extra["category"])
    if "site_of" in extra:
        q &= Q(site__isnull=True) if extra["site_of"] == "none" else Q(site_id=_as_int(extra["site_of"], "site_of"))
    if "team_of" in extra:
        q &= Q(team__isnull=True) if extra["team_of"] == "none" else Q(team_id=_as_int(extra["team_of"], "team_of"))
    if "level" in extra:
        q &= Q(complaint_level=_as_int(extra["level"], "level"))
    if "status" in extra:
        q &= Q(status=extra["status"])
    from kefu.workorders.selectors import work_order_list_for_actor

    qs = work_order_list_for_actor(actor=actor).filter(q).order_by("-received_at", "-id")
    return qs, {"period": period, "scope": scope, "basis": basis, "condition": condition, "kind": kind, **extra}


def _as_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(_("%(field)s must be a number.") % {"field": name},
                           fields={name: [_("%(field)s must be a number.") % {"field": name}]}) from None


def drill_survey_records(*, actor: Actor, params) -> tuple[QuerySet, dict]:
    """The invitations or answers behind a campaign_satisfaction number (the parameters its URL
    carries: period, scope, `records`, optionally `campaign`). Bad parameters → InvalidInput; a
    role that may not read survey results → NotAllowed; a campaign the reader may not see → NotFound."""
    require_report_actor(actor)
    from kefu.surveys import selectors as surveys

    if not surveys.may_view(actor):
        raise NotAllowed(_("Your role may not read survey results."))
    scope = parse_scope(params)
    period = parse_period(params, scope)
    errors: dict = {}
    records = (params.get("records") or "").strip()
    if records not in surveys.SATISFACTION_RECORDS:
        errors["records"] = [_("records must be one of %(values)s.") % {
            "values": ", ".join(surveys.SATISFACTION_RECORDS)}]
    for name, value in (("team", scope.team_id), ("agent", scope.agent_id)):
        if value:
            errors[name] = [_("%(field)s: survey campaigns are not counted per team or agent.") % {"field": name}]
    campaign_id = _int(params, "campaign", errors)
    if errors:
        raise InvalidInput(_("Check the drill-down parameters."), fields=errors)
    campaign = surveys.campaign_get_for_actor(actor=actor, pk=campaign_id) if campaign_id else None
    qs = surveys.campaign_satisfaction_records(
        actor=actor, start=period.start, end=period.end, records=records, site_id=scope.site_id,
        department_path=scope.department_path if scope.department_id else "", campaign_id=campaign_id)
    return qs, {"period": period, "scope": scope, "records": records, "campaign": campaign}
