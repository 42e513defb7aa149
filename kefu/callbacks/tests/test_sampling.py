"""Sampling: the pure math (every size, hypothesis) and the weekly draw on the real database."""

import math
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from kefu.callbacks import sampling, services
from kefu.callbacks.models import Callback, SamplingRun
from kefu.callbacks.tests.factories import make_resolved, make_rule
from kefu.core.errors import Conflict, InvalidInput
from kefu.sla.models import SlaClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


@given(n=st.integers(min_value=0, max_value=2000),
       percent=st.decimals(min_value=0, max_value=100, places=2),
       onsite=st.decimals(min_value=0, max_value=100, places=2))
def test_sample_is_never_below_the_share_and_on_site_never_below_its_share(n, percent, onsite):
    result = sampling.draw(range(n), seed="s", percent=percent, onsite_percent=onsite)
    k = len(result.selected)
    assert k == min(n, math.ceil(Decimal(n) * percent / 100))
    assert k * 100 >= n * percent  # never below the configured share
    assert len(set(result.selected)) == k and set(result.selected) <= set(range(n))
    assert len(result.onsite) == math.ceil(Decimal(k) * onsite / 100)
    assert result.onsite <= set(result.selected)


def test_ten_percent_of_200_is_20_with_6_on_site_and_the_seed_decides():
    ids = list(range(1000, 1200))
    first = sampling.draw(ids, seed="callback-rule-1:2026-11-09", percent=Decimal("10"), onsite_percent=Decimal("30"))
    again = sampling.draw(reversed(ids), seed="callback-rule-1:2026-11-09", percent=10, onsite_percent=30)
    other = sampling.draw(ids, seed="callback-rule-1:2026-11-16", percent=10, onsite_percent=30)
    assert (len(first.selected), len(first.onsite), first.actual_percent) == (20, 6, 10.0)
    assert first == again
    assert set(other.selected) != set(first.selected)


@pytest.mark.parametrize("n, percent, expected", [(0, 10, 0), (1, 10, 1), (9, 10, 1), (10, 10, 1), (11, 10, 2),
                                                  (200, Decimal("12.5"), 25), (7, 100, 7), (7, 0, 0)])
def test_sample_size_rounds_up(n, percent, expected):
    assert sampling.sample_size(n, percent) == expected


def test_period_bounds_week_and_month():
    assert sampling.period_bounds("week", date(2026, 11, 12), SHANGHAI) == (
        datetime(2026, 11, 9, tzinfo=SHANGHAI), datetime(2026, 11, 16, tzinfo=SHANGHAI))
    assert sampling.period_bounds("month", date(2026, 12, 31), SHANGHAI) == (
        datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert sampling.previous_period_start("week", date(2026, 11, 23)) == date(2026, 11, 16)
    assert sampling.previous_period_start("month", date(2026, 11, 23)) == date(2026, 10, 1)


# --- the draw on the database ----------------------------------------------------------------------

@pytest.mark.django_db
def test_ten_percent_sample_of_200_complaints_in_one_week(cast):
    rule = make_rule(name="sample", types=["complaint"], mode="sample", sample_percent=10, onsite_percent=30)
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=True):
        orders = [make_resolved(actor=cast["agent"]) for _ in range(200)]
        # A repair in the same week is not this rule's (the default "all" rule covers it).
        repair = make_resolved(actor=cast["agent"], type="repair")
    # Sampled orders owe no callback until the draw: their callback clocks must not breach.
    assert not Callback.objects.filter(work_order__in=orders).exists()
    assert set(SlaClock.objects.filter(work_order__in=orders, kind="callback").values_list("state", flat=True)) == {
        "cancelled"}
    # A week that has not ended yet cannot be drawn (seen from inside it, whatever today is).
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)), pytest.raises(Conflict):
        services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 23))

    run = services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 12))
    callbacks = Callback.objects.filter(sampling_run=run)
    assert (run.population, run.selected, run.onsite, run.actual_percent) == (200, 20, 6, 10.0)
    assert callbacks.count() == 20
    assert callbacks.filter(on_site_required=True).count() == 6
    assert set(callbacks.values_list("source", "status")) == {("sample", "open")}
    assert Callback.objects.filter(work_order=repair, source="resolution").count() == 1
    expected = sampling.draw([o.pk for o in orders], seed=run.seed, percent=10, onsite_percent=30)
    assert set(callbacks.values_list("work_order_id", flat=True)) == set(expected.selected)
    assert set(callbacks.filter(on_site_required=True).values_list("work_order_id", flat=True)) == expected.onsite
    # Drawn once: asking again returns the same draw and creates nothing.
    assert services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 9)) == run
    assert Callback.objects.filter(source="sample").count() == 20
    # The same seed picks the same orders when drawn afresh.
    Callback.objects.filter(sampling_run=run).delete()
    SamplingRun.objects.filter(pk=run.pk).delete()
    rerun = services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 9))
    assert set(Callback.objects.filter(sampling_run=rerun).values_list("work_order_id", flat=True)) == set(
        expected.selected)


@pytest.mark.django_db
def test_the_command_draws_the_last_ended_week_once(cast, capsys):
    rule = make_rule(name="sample", types=["complaint"], mode="sample", sample_percent=50, onsite_percent=100)
    with time_machine.travel(datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI), tick=True):
        for _ in range(3):
            make_resolved(actor=cast["agent"])
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), tick=True):
        call_command("callbacks_sample")
        call_command("callbacks_sample")
    run = SamplingRun.objects.get(rule=rule)
    assert (run.population, run.selected, run.onsite) == (3, 2, 2)
    assert Callback.objects.filter(source="sample").count() == 2
    out = capsys.readouterr().out
    assert out.count("population=3 selected=2 onsite=2 actual=66.67%") == 2


@pytest.mark.django_db
def test_only_sample_rules_are_drawn(cast):
    rule = make_rule(name="all", mode="all")
    with pytest.raises(InvalidInput):
        services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 9))
    assert not SamplingRun.objects.exists()


@pytest.mark.django_db
def test_the_periodic_task_draws_like_the_command(cast):
    from kefu.callbacks.tasks import callbacks_sample_periodic_task

    rule = make_rule(name="sample", types=["complaint"], mode="sample", sample_percent=10, onsite_percent=0)
    with time_machine.travel(datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI), tick=True):
        order = make_resolved(actor=cast["agent"])
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), tick=True):
        ids = callbacks_sample_periodic_task.call_local()
        assert callbacks_sample_periodic_task.call_local() == ids
    run = SamplingRun.objects.get(pk__in=ids)
    assert (run.rule, run.population, run.selected, run.onsite) == (rule, 1, 1, 0)
    callback = Callback.objects.get(sampling_run=run)
    assert (callback.work_order, callback.on_site_required) == (order, False)
    assert callback.due_at > datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
