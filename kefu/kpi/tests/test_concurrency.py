"""Concurrent changes of one scorecard (PostgreSQL): one sign-off wins and nothing changes it after."""

from kefu.core.errors import Conflict
from kefu.kpi.models import ScorecardEvent
from kefu.kpi.services import scorecard_enter_value, scorecard_sign_off
from kefu.kpi.tests.factories import make_scorecard
from kefu.workorders.tests.test_concurrency import THREADS, _postgres, _run


@_postgres
def test_sign_off_against_late_entries(cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    for code in ("mbo", "internal_satisfaction", "report_timeliness"):
        card = scorecard_enter_value(scorecard=card, indicator_code=code, value="80", actor_user=cast["manager"])
    version = card.version

    def job(i):
        if i % 2:
            return lambda: scorecard_sign_off(scorecard=card.pk, actor_user=cast["manager"],
                                              expected_version=version).status
        return lambda: scorecard_enter_value(scorecard=card.pk, indicator_code="mbo", value=str(i),
                                             actor_user=cast["manager"], expected_version=version).status

    results = _run([(i, job(i)) for i in range(THREADS)])
    assert sum(not isinstance(r, Conflict) for _l, r in results) == 1, results
    assert ScorecardEvent.objects.filter(scorecard=card).count() == 5  # generate, 3 entries, the winner
