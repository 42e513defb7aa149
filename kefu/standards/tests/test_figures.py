"""Each measured standard's figure over a fixture period, exact numerators and denominators:
walk-in dispatch clocks (on their own), sampled callbacks on site with a signature, satisfaction
per service item and campaigns per year (the reports' campaign fixture), QA checks due vs done by
Friday noon, reports generated on their day, KPI scorecards signed off."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from kefu.org.selectors import actor_for_user
from kefu.reports.metrics import Period
from kefu.reports.selectors import Scope
from kefu.standards import selectors

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=SH)
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Asia/Shanghai")
Q1 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Asia/Shanghai")


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def row(user, code, period=MARCH, scope=None, now=NOW):
    with time_machine.travel(now, tick=False):
        rows = selectors.board(actor=actor_for_user(user), period=period, scope=scope or Scope(), codes=[code],
                               records=True)
    return rows[0]


def counts(r):
    return r["numerator"], r["denominator"], r["status"]


def test_walk_in_dispatch_clock_on_its_own(cast, org):
    from kefu.workorders.services import work_order_transition
    from kefu.workorders.tests.factories import make_work_order

    def walk_in(minutes):
        with time_machine.travel(at(3, 10, 10), tick=False):
            order = make_work_order(actor=cast["agent"], channel="walk_in", received_at=at(3, 10, 10),
                                    contact_phone="13800138000")
        with time_machine.travel(at(3, 10, 10, minutes), tick=False):
            work_order_transition(work_order=order, action="dispatch", actor_user=cast["agent"], team=org["mep"])
        return order

    fast, slow = walk_in(2), walk_in(10)
    with time_machine.travel(at(3, 10, 10), tick=False):
        make_work_order(actor=cast["agent"], channel="phone", received_at=at(3, 10, 10), contact_phone="13800138001")
    r = row(cast["manager"], "walk_in_3min")
    assert counts(r) == (1, 2, "missed")
    assert r["rule"] == {"minutes": 3}
    assert {x["label"]: x["counted"] for x in r["records"]} == {fast.number: True, slow.number: False}


def test_sampled_callbacks_on_site_with_a_signature(cast, org, settings, tmp_path):
    from kefu.callbacks.models import Callback, CallbackAttempt
    from kefu.workorders.tests.factories import make_work_order

    settings.MEDIA_ROOT = tmp_path
    def sampled(when, *, on_site=True, status="open"):
        order = make_work_order(actor=cast["agent"], type="complaint", contact_phone="13800138000")
        return Callback.objects.create(work_order=order, source="sample", on_site_required=on_site, status=status,
                                       due_at=when, created_at=when)

    signed = sampled(at(3, 5, 10), status="completed")
    attempt = CallbackAttempt(callback=signed, method="on_site", attempted_at=at(3, 6, 10), reached=True,
                              created_at=at(3, 6, 10), recorded_by=cast["agent"])
    attempt.signature.save("s.png", ContentFile(b"\x89PNG signature"), save=False)
    attempt.save()
    by_phone = sampled(at(3, 6, 10), status="completed")
    CallbackAttempt.objects.create(callback=by_phone, method="phone", attempted_at=at(3, 7, 10), reached=True,
                                   created_at=at(3, 7, 10), recorded_by=cast["agent"])
    sampled(at(3, 7, 10))  # still open
    sampled(at(3, 8, 10), on_site=False, status="completed")  # only a phone call was required
    sampled(at(4, 2, 10))  # April
    r = row(cast["manager"], "callback_sampling")
    assert counts(r) == (1, 3, "missed")
    assert [x["counted"] for x in r["records"]] == [True, False, False]


def test_satisfaction_per_item_and_campaigns_per_year(cast, org):
    from kefu.reports.tests.test_campaign_satisfaction import build_campaigns

    build_campaigns(cast, org)
    # Campaigns ended in March that the director sees: A (to 31 March) and C (closed 20 March, satisfied = 5)
    # and X (the other company). customer_service: A 5 3 2 4 → 2/4, C 5 4 → 1/2, X 5 → 1/1 = 4/7;
    # cleaning: A 4 5 4 → 3/3, C 5 5 → 2/2, X 5 → 1/1 = 6/6 ≥ 95 %.
    r = row(cast["director"], "satisfaction_95")
    assert counts(r) == (1, 2, "missed")
    assert [(x["id"], x["cells"], x["counted"]) for x in r["records"]] == [
        ("cleaning", [6, 6, 1.0], True), ("customer_service", [4, 7, 0.5714], False)]
    # Campaigns started (not drafts) from 1 April 2025 to 31 March 2026: B (Feb), A, C, X (March).
    r = row(cast["director"], "survey_twice_yearly")
    assert (r["numerator"], r["denominator"], r["value"]) == (4, 2, 4)
    assert r["status"] == "met"
    assert r["next_due"] == "2026-08-30"  # latest start 1 March + 182 days
    # The other company's site sees only its own and the group's campaigns: none started for it.
    r = row(cast["manager"], "survey_twice_yearly", scope=Scope(department_id=org["other"].pk,
                                                                 department_path=org["other"].path))
    assert r["numerator"] in (0, 1)


def test_qa_checks_due_by_friday_noon(cast, org):
    from kefu.quality.services import qa_check_transition, qa_sample_week
    from kefu.quality.tests.factories import ALL_FULL
    from kefu.workorders.tests.factories import make_work_order

    for day in (9, 10, 11):
        with time_machine.travel(at(3, day, 10), tick=False):
            make_work_order(actor=cast["agent"], received_at=at(3, day, 10), contact_phone="13800138000")
    with time_machine.travel(at(3, 12, 9), tick=False):
        checks = qa_sample_week(week_start=dt.date(2026, 3, 9), per_agent=3)
    assert len(checks) == 3
    with time_machine.travel(at(3, 13, 11, 30), tick=False):  # Friday before noon
        qa_check_transition(check=checks[0], action="score", actor_user=cast["qa"], scores=ALL_FULL)
    with time_machine.travel(at(3, 13, 15), tick=False):  # Friday afternoon: late
        qa_check_transition(check=checks[1], action="score", actor_user=cast["qa"], scores=ALL_FULL)
    r = row(cast["manager"], "qa_weekly")
    assert counts(r) == (1, 3, "missed")  # the third is still waiting
    assert [(x["label"].split(" ")[0], x["cells"], x["counted"]) for x in r["records"]] == [
        ("2026-03-09", [1, 3], False)]
    # Before the deadline only what is done counts; the week is at risk while checks wait.
    r = row(cast["manager"], "qa_weekly", now=at(3, 13, 11, 45))
    assert counts(r) == (1, 1, "at_risk")


def test_reports_generated_on_their_day(cast, settings, tmp_path):
    from kefu.reports import services

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at(2, 27, 10), tick=False):
        schedule = services.report_schedule_create(actor_user=cast["manager"], name="投诉周报", report="complaint",
                                                   frequency="weekly", recipients=["boss@example.com"])
    for when in (at(3, 2, 9, 5), at(3, 9, 9, 5), at(3, 17, 10), at(3, 30, 9, 5)):
        with time_machine.travel(when, tick=False):
            services.report_schedules_run(base_url="http://kefu.test")
    # Due Mondays in March: 2, 9 (on time), 16 (generated the 17th), 23 (never), 30 (on time).
    r = row(cast["manager"], "report_cadence")
    assert counts(r) == (3, 5, "missed")
    assert [x["counted"] for x in r["records"]] == [True, True, False, False, True]
    assert "monthly" in r["detail"]  # no monthly schedule
    assert schedule.pk


def test_kpi_scorecards_signed_off(cast, org):
    from kefu.kpi.services import scorecard_enter_value, scorecard_sign_off
    from kefu.kpi.tests.factories import SUPERVISOR, make_scorecard

    with time_machine.travel(at(4, 2, 10), tick=False):
        card = make_scorecard(user=cast["supervisor"], template=SUPERVISOR, year=2026, quarter=1)
        for code in ("internal_satisfaction", "report_timeliness", "mbo"):
            card = scorecard_enter_value(scorecard=card, indicator_code=code, value="80", actor_user=cast["manager"])
        scorecard_sign_off(scorecard=card, actor_user=cast["manager"])
    r = row(cast["director"], "kpi_intake_supervisor", period=Q1)
    assert counts(r) == (1, 1, "met")
    r = row(cast["director"], "kpi_manager", period=Q1)
    assert counts(r) == (0, 1, "missed")  # the manager's scorecard was never made
    # A quarter not ended yet is not due.
    r = row(cast["director"], "kpi_manager", period=Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30)))
    assert counts(r) == (0, 0, "no_data")
