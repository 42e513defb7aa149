"""Many threads on the same notice at once (PostgreSQL: real connections, real commits).

Exactly one verification wins, one proposal per reference survives, and each escalation step
fires once. Reuses the thread harness of kefu/workorders/tests/test_concurrency.py.
"""

from datetime import timedelta

from kefu.core.errors import Conflict
from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent
from kefu.improvement.selectors import due_instant
from kefu.improvement.services import corrective_action_escalate_overdue, corrective_action_transition
from kefu.improvement.tests.factories import make_notice, make_proposal, taken
from kefu.workorders.tests.test_concurrency import THREADS, _postgres, _run


@_postgres
def test_one_verification_wins(cast, org):
    notice = taken(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"])
    due = notice.due_date + timedelta(days=30)
    qa = cast["qa"]

    def verify(i):
        if i % 2:
            return lambda: corrective_action_transition(notice=notice.pk, action="verify_effective", actor_user=qa,
                                                        verification=f"有效 {i}").status
        return lambda: corrective_action_transition(notice=notice.pk, action="verify_not_effective", actor_user=qa,
                                                    verification=f"无效 {i}", due_date=due).status

    results = _run([(i, verify(i)) for i in range(THREADS)])
    winners = [r for _label, r in results if isinstance(r, str)]
    losers = [r for _label, r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == THREADS - 1, results
    notice.refresh_from_db()
    assert notice.status == winners[0]
    assert CorrectiveActionEvent.objects.filter(notice=notice, action__startswith="verify").count() == 1


@_postgres
def test_concurrent_proposals_make_one_notice(db):
    results = _run([(i, lambda: make_proposal(reference="survey:1:lift").pk) for i in range(THREADS)])
    ids = {r for _label, r in results}
    assert len(ids) == 1, results
    assert CorrectiveAction.objects.count() == 1
    assert CorrectiveActionEvent.objects.filter(action="propose").count() == 1


@_postgres
def test_concurrent_sweeps_fire_each_step_once(cast, org):
    notice = make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], due_in_days=1)
    now = due_instant(notice.due_date) + timedelta(days=10)
    results = _run([(i, lambda: corrective_action_escalate_overdue(now=now)) for i in range(THREADS)])
    assert sum(r for _label, r in results) == 3, results
    assert notice.events.filter(action="escalate").count() == 3
