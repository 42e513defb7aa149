"""One source of truth: the complaint report's 3-day closure is the complaint SLA policy's
resolution target (kefu.sla.selectors.complaint_policy), so changing the policy changes the report."""

import datetime as dt

import pytest
import time_machine

from kefu.org.selectors import actor_for_user
from kefu.reports import metrics, selectors
from kefu.reports.metrics import Period
from kefu.reports.tests.fixtures import NOW, build_month
from kefu.sla.models import SlaPolicy
from kefu.sla.selectors import complaint_policy

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Asia/Shanghai")


def _closed(cast):
    actor = actor_for_user(cast["manager"])
    with time_machine.travel(NOW, tick=False):
        analysis = selectors.service_analysis(actor=actor, period=MARCH, scope=selectors.Scope())
        report = selectors.type_report(actor=actor, type="complaint", period=MARCH, scope=selectors.Scope())
    return ((analysis["closed_3d_rate"]["numerator"], analysis["closed_3d_rate"]["denominator"]),
            (report["closed_3d_rate"]["numerator"], report["closed_3d_rate"]["denominator"]))


def test_the_seeded_complaint_policy_is_the_three_day_rule():
    policy = complaint_policy()
    assert (policy.name, policy.resolution_minutes, policy.resolution_business) == ("投诉 Complaints", 4320, False)
    assert metrics.complaint_close_minutes() == 4320


def test_changing_the_complaint_policy_changes_the_report(cast, org):
    build_month(cast, org)
    assert _closed(cast) == ((1, 3), (1, 3))  # A1 (1 day); A2 took 5 days, A3 is open
    SlaPolicy.objects.filter(name="投诉 Complaints").update(resolution_minutes=6 * 24 * 60)
    assert _closed(cast) == ((2, 3), (2, 3))  # A2 now within the limit
    SlaPolicy.objects.filter(name="投诉 Complaints").update(resolution_minutes=12 * 60)
    assert _closed(cast) == ((0, 3), (0, 3))  # A1 took 24 h


def test_without_a_complaint_policy_the_limit_is_72_hours(cast, org):
    SlaPolicy.objects.filter(name="投诉 Complaints").update(is_active=False)
    assert complaint_policy() is None
    assert metrics.complaint_close_minutes() == 72 * 60
    # A policy with a narrower condition is not the complaint policy.
    SlaPolicy.objects.filter(name="投诉 Complaints").update(is_active=True, complaint_levels=[3])
    assert complaint_policy() is None
