"""Weekly sampling: N per agent, random but reproducible (seeded by agent and week), idempotent."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kefu.quality import sampling
from kefu.quality.models import QACheck
from kefu.quality.services import qa_sample_week
from kefu.quality.tasks import qa_weekly_sampling_task
from kefu.workorders.tests.factories import make_work_order

MONDAY = date(2026, 11, 16)


def test_draw_is_reproducible_and_depends_on_agent_and_week():
    ids = list(range(1, 41))
    seed = sampling.seed_for(agent_id=7, week_start=MONDAY)
    first = sampling.draw(ids, seed=seed, size=3)
    assert first == sampling.draw(list(reversed(ids)), seed=seed, size=3)
    assert len(set(first)) == 3 and set(first) <= set(ids)
    other_week = sampling.draw(ids, seed=sampling.seed_for(agent_id=7, week_start=MONDAY + timedelta(days=7)), size=3)
    other_agent = sampling.draw(ids, seed=sampling.seed_for(agent_id=8, week_start=MONDAY), size=3)
    assert first != other_week and first != other_agent
    assert sampling.draw([5, 6], seed=seed, size=3) in ([5, 6], [6, 5])
    assert sampling.draw([], seed=seed, size=3) == []


def test_weighted_score_rounds_half_up():
    assert sampling.weighted_score([(15, 60), (20, 70), (15, 50), (20, 60), (20, 80), (10, 0)]) == \
        __import__("decimal").Decimal("58.50")
    assert str(sampling.weighted_score([(1, "33.335"), (1, "33.335")])) == "33.34"


def _orders_in_week(agent, n, monday=MONDAY):
    tz = timezone.get_current_timezone()
    made = []
    for i in range(n):
        with time_machine.travel(datetime(monday.year, monday.month, monday.day, 9, tzinfo=tz) + timedelta(hours=i),
                                 tick=False):
            made.append(make_work_order(actor=agent, title=f"咨询 {i}").pk)
    return made


@pytest.mark.django_db
def test_each_agent_gets_n_of_their_own_orders_and_a_rerun_draws_the_same(cast, org):
    from kefu.org.tests.factories import make_staff

    agent2 = make_staff(role="agent", department=org["front"], username="agent2").user
    mine = _orders_in_week(cast["agent"], 6)
    theirs = _orders_in_week(agent2, 2)
    _orders_in_week(cast["agent"], 2, monday=MONDAY + timedelta(days=7))  # next week: not in the frame
    _orders_in_week(cast["supervisor"], 3)  # not an agent: not sampled

    created = qa_sample_week(week_start=MONDAY + timedelta(days=3), per_agent=3)  # any day of the week
    by_agent = {}
    for check in created:
        by_agent.setdefault(check.agent_id, []).append(check.work_order_id)
    assert sorted(by_agent) == sorted([cast["agent"].pk, agent2.pk])
    assert len(by_agent[cast["agent"].pk]) == 3 and set(by_agent[cast["agent"].pk]) <= set(mine)
    assert sorted(by_agent[agent2.pk]) == sorted(theirs)  # fewer orders than N: all of them
    assert {c.week_start for c in created} == {MONDAY}
    assert {c.department_id for c in created} == {org["front"].pk}
    expected = sampling.draw(mine, seed=sampling.seed_for(agent_id=cast["agent"].pk, week_start=MONDAY), size=3)
    assert by_agent[cast["agent"].pk] == expected

    assert qa_sample_week(week_start=MONDAY, per_agent=3) == []  # idempotent
    assert QACheck.objects.count() == 5

    # Deleting and drawing again gives the very same orders (an auditor can re-run it).
    QACheck.objects.all().delete()
    again = qa_sample_week(week_start=MONDAY, per_agent=3)
    assert sorted(c.work_order_id for c in again) == sorted(c.work_order_id for c in created)


@pytest.mark.django_db
def test_per_agent_is_validated(cast):
    from kefu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        qa_sample_week(week_start=MONDAY, per_agent=0)
    assert list(info.value.fields) == ["per_agent"]


@pytest.mark.django_db
def test_command_and_periodic_task_sample_last_week_with_the_configured_n(cast):
    from kefu.quality.services import quality_settings

    row = quality_settings()
    row.samples_per_agent = 2
    row.save()
    _orders_in_week(cast["agent"], 4)
    with time_machine.travel(datetime(2026, 11, 23, 3, tzinfo=timezone.get_current_timezone()), tick=False):
        assert qa_weekly_sampling_task.call_local() == 2
    assert QACheck.objects.filter(week_start=MONDAY).count() == 2
    out = StringIO()
    call_command("quality_sample", "--week", "2026-11-18", "--per-agent", "3", stdout=out)
    assert out.getvalue().strip() == "0 QA checks sampled"  # already sampled that week
