"""Survey campaign figures beside the per-order ratings (satisfaction and response rates of the
campaigns whose answering window ended in the period), each count linked to its records."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from kefu.org.selectors import Actor
from kefu.reports.metrics import Period
from kefu.reports.selectors.figures import _labels
from kefu.reports.selectors.scope import Scope


def survey_drill_params(*, period: Period, scope: Scope, records: str, campaign_id: int | None = None) -> dict:
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "records": records}
    params.update(scope.params())
    if campaign_id:
        params["campaign"] = campaign_id  # type: ignore[assignment]  # values of several types in one dict or variable
    return params


def survey_drill_url(params: dict) -> str:
    return f"{reverse('reports:survey_records')}?{urlencode(params)}"


def _survey_rate(numerator: int, denominator: int, num_params: dict, den_params: dict) -> dict:
    """A rate rounded the way kefu.surveys.selectors.campaign_results rounds it (4 places, half up),
    so a one-campaign period shows the campaign page's number exactly."""
    from decimal import ROUND_HALF_UP, Decimal

    rate = None
    if denominator:
        rate = float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    return {"numerator": numerator, "denominator": denominator, "rate": rate,
            "numerator_url": survey_drill_url(num_params), "denominator_url": survey_drill_url(den_params)}


def campaign_satisfaction(*, actor: Actor, period: Period, scope: Scope) -> dict | None:
    """满意率 and 参评率 of the survey campaigns whose answering window ended in the period (see
    docs/metrics.md `campaign_satisfaction`), with a row per campaign; every count links to the
    invitations or answers behind it. None when the reader may not read survey results, or for a team
    or agent scope (campaigns ask units and customers, not a team's orders). One query."""
    if scope.team_id or scope.agent_id:
        return None
    from kefu.surveys import selectors as surveys
    from kefu.surveys.choices import CampaignStatus

    data = surveys.campaign_satisfaction(actor=actor, start=period.start, end=period.end, site_id=scope.site_id,
                                         department_path=scope.department_path if scope.department_id else "")
    if data is None:
        return None

    def rates(counts: dict, campaign_id=None) -> tuple[dict, dict]:
        def dp(records):
            return survey_drill_params(period=period, scope=scope, records=records, campaign_id=campaign_id)

        return (_survey_rate(counts["satisfied"], counts["valid"], dp("satisfied"), dp("valid")),
                _survey_rate(counts["responded"], counts["invited"], dp("responded"), dp("invited")))

    statuses = _labels(CampaignStatus.choices)
    result, response = rates(data)
    result["response_rate"] = response
    result["campaigns"] = []
    for row in data["campaigns"]:
        satisfaction, response = rates(row, row["id"])
        result["campaigns"].append({
            "id": row["id"], "name": row["name"], "status": row["status"],
            "status_label": statuses.get(row["status"], row["status"]),
            "starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat(),
            "closed_on": row["closed_on"].isoformat() if row["closed_on"] else None,
            "window_end": row["window_end"].isoformat(), "satisfied_min": row["satisfied_min"],
            "url": reverse("surveys:detail", args=[row["id"]]),
            "satisfaction_rate": satisfaction, "response_rate": response})
    return result
