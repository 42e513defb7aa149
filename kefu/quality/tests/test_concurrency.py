"""Many threads on the same QA check at once (PostgreSQL: real connections, real commits): exactly
one score wins, one appeal, and concurrent samplings draw each agent's week once. Reuses the thread
harness of kefu/workorders/tests/test_concurrency.py."""

from django.utils import timezone

from kefu.core.errors import Conflict
from kefu.quality.models import QACheck, QACheckEvent, QACheckItemScore
from kefu.quality.sampling import week_start_of
from kefu.quality.services import qa_check_transition, qa_sample_week
from kefu.quality.tests.factories import ALL_FULL, sample_checks, scored_check
from kefu.workorders.tests.factories import make_work_order
from kefu.workorders.tests.test_concurrency import THREADS, _postgres, _run


@_postgres
def test_one_score_wins(cast):
    check = sample_checks(agent=cast["agent"])[0]

    def score(i):
        return lambda: qa_check_transition(check=check.pk, action="score", actor_user=cast["qa"],
                                           scores={**ALL_FULL, "readback": i}).status

    results = _run([(i, score(i)) for i in range(THREADS)])
    winners = [r for _label, r in results if r == "scored"]
    assert len(winners) == 1 and sum(isinstance(r, Conflict) for _l, r in results) == THREADS - 1, results
    assert QACheckEvent.objects.filter(qa_check=check, action="score").count() == 1
    assert QACheckItemScore.objects.filter(qa_check=check).count() == 6


@_postgres
def test_one_appeal_wins(cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"])
    results = _run([(i, lambda: qa_check_transition(check=check.pk, action="appeal", actor_user=cast["agent"],
                                                    reason="不服").status) for i in range(THREADS)])
    assert sum(r == "appealed" for _l, r in results) == 1, results
    assert QACheckEvent.objects.filter(qa_check=check, action="appeal").count() == 1


@_postgres
def test_concurrent_samplings_draw_once(cast):
    for i in range(5):
        make_work_order(actor=cast["agent"], title=f"咨询 {i}")
    monday = week_start_of(timezone.localdate())
    results = _run([(i, lambda: len(qa_sample_week(week_start=monday, per_agent=3))) for i in range(THREADS)])
    assert sorted(r for _l, r in results) == [0] * (THREADS - 1) + [3], results
    assert QACheck.objects.count() == 3
