"""Factories for KPI scorecards: generated through the real services from the seeded templates."""

from kefu.kpi.models import ScorecardTemplate
from kefu.kpi.services import scorecard_generate

MANAGER = "CS-MANAGER-Q"
SUPERVISOR = "CS-INTAKE-SUPERVISOR-Q"


def make_scorecard(*, user, template: str = MANAGER, year: int = 2026, quarter: int = 4):
    return scorecard_generate(template=ScorecardTemplate.objects.get(code=template), staff=user.staff, year=year,
                              quarter=quarter)
