"""Scorecards from the period's records: computed lines, manual entry by the right role, sign-off
and the lock, the weights rule on templates, and the semi-annual reviews."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from kefu.callbacks.services import callback_attempt_record
from kefu.callbacks.tests.factories import callback_of, make_resolved
from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.kpi import selectors
from kefu.kpi.models import Scorecard, ScorecardEvent, ScorecardTemplate
from kefu.kpi.services import (
    competency_review_submit,
    scorecard_enter_value,
    scorecard_generate_quarter,
    scorecard_refresh,
    scorecard_sign_off,
    scorecard_template_create,
)
from kefu.kpi.tests.factories import make_scorecard
from kefu.quality.services import qa_check_transition
from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture(autouse=True)
def _in_q4():
    with time_machine.travel(NOW, tick=True):
        yield


def _callback(order_actor, caller, outcome):
    order = make_resolved(actor=order_actor, type="complaint")
    callback_attempt_record(callback=callback_of(order), actor_user=caller, method="phone", reached=True,
                            outcome=outcome, solved=True)
    return order


def _department_data(cast):
    """Two satisfied complaint callbacks and two QA checks (one passed, one failed) in the front team."""
    _callback(cast["agent"], cast["supervisor"], "satisfied")
    _callback(cast["agent"], cast["supervisor"], "very_satisfied")
    first, second = sample_checks(agent=cast["agent"], orders=2, per_agent=2)
    qa_check_transition(check=first, action="score", actor_user=cast["qa"], scores=ALL_FULL)
    qa_check_transition(check=second, action="score", actor_user=cast["qa"], scores=FAILING)


def test_manager_quarter_end_to_end_gives_the_exact_weighted_score(cast):
    _department_data(cast)
    card = make_scorecard(user=cast["manager"])
    lines = {line.indicator.code: line for line in selectors.scorecard_lines(scorecard=card)}
    sat, passed = lines["external_satisfaction"], lines["staff_pass_rate"]
    assert (sat.value, sat.numerator, sat.denominator, sat.score, sat.weighted) == (
        D("100.00"), D("2.00"), 2, D("100.00"), D("50.00"))
    assert (passed.value, passed.numerator, passed.denominator, passed.score, passed.weighted) == (
        D("50.00"), D("1.00"), 2, D("0.00"), D("0.00"))
    assert card.total_score == D("50.00")
    for code, value in (("process_standardisation", "88"), ("internal_satisfaction", "85"), ("report_quality", "90")):
        card = scorecard_enter_value(scorecard=card, indicator_code=code, value=value, actor_user=cast["director"])
    assert card.total_score == D("77.50")  # 50 + 0 + 10 + 8.5 + 9
    card = scorecard_sign_off(scorecard=card, actor_user=cast["director"])
    assert (card.status, card.total_score, card.signed_off_by) == ("signed_off", D("77.50"), cast["director"])
    assert list(ScorecardEvent.objects.filter(scorecard=card).values_list("action", flat=True)) == [
        "generate", "enter", "enter", "enter", "sign_off"]


def test_drilldown_counts_equal_the_figures(cast):
    _department_data(cast)
    card = make_scorecard(user=cast["manager"])
    for line in selectors.scorecard_lines(scorecard=card):
        kind, records = selectors.drilldown_records(card, line.indicator)
        if kind is None:
            continue
        assert records.count() == line.denominator == 2


def test_supervisor_scorecard_counts_complaints_only(cast):
    _callback(cast["agent"], cast["supervisor"], "dissatisfied")
    order = make_resolved(actor=cast["agent"], type="repair")
    callback_attempt_record(callback=callback_of(order), actor_user=cast["supervisor"], method="phone", reached=True,
                            outcome="satisfied", solved=True)
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    line = card.lines.get(indicator__code="complaint_satisfaction")
    assert (line.value, line.numerator, line.denominator, line.score) == (D("0.00"), D("0.00"), 1, D("0.00"))


def test_manual_values_only_by_the_entering_role_and_never_on_ones_own(cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    for who, error, code in (("supervisor", NotAllowed, "own_scorecard"), ("qa", NotFound, "not_found"),
                             ("director", NotAllowed, "role_not_allowed")):
        with pytest.raises(error) as info:
            scorecard_enter_value(scorecard=card, indicator_code="mbo", value="90", actor_user=cast[who])
        assert info.value.code == code
    with pytest.raises(InvalidInput) as info:
        scorecard_enter_value(scorecard=card, indicator_code="mbo", value="101", actor_user=cast["manager"])
    assert list(info.value.fields) == ["value"]
    with pytest.raises(InvalidInput) as info:
        scorecard_enter_value(scorecard=card, indicator_code="team_skill", value="90", actor_user=cast["manager"])
    assert (list(info.value.fields), info.value.code) == (["indicator"], "computed")
    card.refresh_from_db()
    assert card.version == 1 and not card.lines.filter(value__isnull=False, indicator__source="manual").exists()
    assert list(card.events.values_list("action", flat=True)) == ["generate"]


def test_sign_off_needs_every_manual_value_and_then_locks(cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    card = scorecard_enter_value(scorecard=card, indicator_code="mbo", value="90", actor_user=cast["manager"])
    with pytest.raises(InvalidInput) as info:
        scorecard_sign_off(scorecard=card, actor_user=cast["manager"])
    assert sorted(info.value.fields) == ["lines.internal_satisfaction", "lines.report_timeliness"]
    with pytest.raises(NotAllowed):
        scorecard_sign_off(scorecard=card, actor_user=cast["supervisor"])
    for code in ("internal_satisfaction", "report_timeliness"):
        card = scorecard_enter_value(scorecard=card, indicator_code=code, value="80", actor_user=cast["manager"])
    card = scorecard_sign_off(scorecard=card, actor_user=cast["manager"])
    # 20×0.8 + 10×0.8 + 10×0.9 = 33 (no complaints, no QA checks: computed lines earn nothing)
    assert (card.status, card.total_score) == ("signed_off", D("33.00"))
    version = card.version
    for call in (lambda: scorecard_enter_value(scorecard=card, indicator_code="mbo", value="10",
                                               actor_user=cast["manager"]),
                 lambda: scorecard_sign_off(scorecard=card, actor_user=cast["manager"]),
                 lambda: scorecard_refresh(scorecard=card)):
        with pytest.raises(Conflict) as info:
            call()
        assert info.value.code == "locked"
    card.refresh_from_db()
    assert (card.version, card.lines.get(indicator__code="mbo").value) == (version, D("90.00"))


def test_stale_version_is_refused(cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    with pytest.raises(Conflict) as info:
        scorecard_enter_value(scorecard=card, indicator_code="mbo", value="90", actor_user=cast["manager"],
                              expected_version=9)
    assert info.value.code == "concurrent_change"


def test_generate_quarter_is_idempotent_and_matches_role(cast):
    first = scorecard_generate_quarter(year=2026, quarter=4)
    assert sorted((c.template.code, c.person.username) for c in first) == [
        ("CS-INTAKE-SUPERVISOR-Q", "supervisor"), ("CS-MANAGER-Q", "manager")]
    assert (first[0].period_start.isoformat(), first[0].period_end.isoformat()) == ("2026-10-01", "2027-01-01")
    scorecard_generate_quarter(year=2026, quarter=4)
    assert Scorecard.objects.count() == 2


def test_visibility_own_and_team(cast):
    sup = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    mgr = make_scorecard(user=cast["manager"])
    actor = lambda name: __import__("kefu.org.selectors", fromlist=["x"]).actor_for_user(cast[name])  # noqa: E731
    assert list(selectors.my_scorecards(actor=actor("supervisor"))) == [sup]
    assert list(selectors.team_scorecards(actor=actor("supervisor"))) == []
    assert list(selectors.team_scorecards(actor=actor("manager"))) == [sup]
    assert set(selectors.team_scorecards(actor=actor("director"))) == {sup, mgr}
    assert list(selectors.scorecard_list_for_actor(actor=actor("agent"))) == []
    with pytest.raises(NotFound):
        selectors.scorecard_get_for_actor(actor=actor("other_steward"), pk=sup.pk)


INDICATORS = [
    {"code": "sat", "name": "满意度", "weight": "60", "source": "satisfaction", "rule": "linear", "floor": "80",
     "target": "95"},
    {"code": "qa", "name": "质检", "weight": "30", "source": "qa_average", "rule": "threshold", "target": "85"},
]


def test_template_weights_must_sum_to_100(cast):
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        scorecard_template_create(actor_user=cast["administrator"], code="AG", name="客服员", role="agent",
                                  indicators=INDICATORS)
    assert info.value.code == "weights_sum"
    assert info.value.fields == {"indicators": ["indicators: the weights sum to 90.00%; they must sum to 100%."]}
    assert not ScorecardTemplate.objects.filter(code="AG").exists()
    rows = INDICATORS + [{"code": "int", "name": "内部满意度", "weight": "10", "source": "manual", "rule": "manual",
                          "entered_by_role": "supervisor"}]
    with pytest.raises(NotAllowed):
        scorecard_template_create(actor_user=cast["manager"], code="AG", name="客服员", role="agent", indicators=rows)
    template = scorecard_template_create(actor_user=cast["administrator"], code="AG", name="客服员", role="agent",
                                         indicators=rows)
    assert list(template.indicators.values_list("code", "weight")) == [("sat", D("60")), ("qa", D("30")),
                                                                       ("int", D("10"))]


def test_template_indicator_rules_are_checked(cast):
    bad = [{**INDICATORS[0], "weight": "100", "floor": "96"}]
    with pytest.raises(InvalidInput) as info:
        scorecard_template_create(actor_user=cast["administrator"], code="X", name="X", role="agent", indicators=bad)
    assert list(info.value.fields) == ["indicators.0.floor"]


def test_competency_review_once_per_half_by_a_lead_above(cast):
    from kefu.kpi.models import ReviewForm

    form = ReviewForm.objects.get(code="CS-INTAKE-SUPERVISOR-H")
    scores = {str(item.pk): 4 for item in form.items.all()}
    scores[str(form.items.first().pk)] = 2
    with pytest.raises(NotAllowed):
        competency_review_submit(actor_user=cast["agent"], person=cast["supervisor"], year=2026, half=2, scores=scores)
    with pytest.raises(InvalidInput) as info:
        competency_review_submit(actor_user=cast["manager"], person=cast["supervisor"], year=2026, half=2,
                                 scores={**scores, str(form.items.last().pk): 6})
    assert list(info.value.fields) == [f"scores.{form.items.last().pk}"]
    review = competency_review_submit(actor_user=cast["manager"], person=cast["supervisor"], year=2026, half=2,
                                      scores=scores, comment="稳定")
    assert review.average == D("3.85")  # (12×4 + 2) / 13
    with pytest.raises(Conflict):
        competency_review_submit(actor_user=cast["manager"], person=cast["supervisor"], year=2026, half=2,
                                 scores=scores)


def test_on_time_rate_source_and_its_drilldown(cast, client):
    from kefu.callbacks.tests.factories import make_resolved as resolved

    rows = [{"code": "ontime", "name": "处理及时率", "weight": "100", "source": "on_time_rate", "rule": "linear",
             "floor": "50", "target": "100"}]
    template = scorecard_template_create(actor_user=cast["administrator"], code="AG-T", name="客服员", role="agent",
                                         indicators=rows)
    resolved(actor=cast["agent"], type="repair")
    resolved(actor=cast["agent"], type="complaint")
    from kefu.kpi.services import scorecard_generate

    card = scorecard_generate(template=template, staff=cast["agent"].staff, year=2026, quarter=4)
    line = card.lines.get()
    kind, records = selectors.drilldown_records(card, line.indicator)
    # The drill-down lists the work orders, not their clocks (ADR 0007: the rate is per order).
    assert kind == "work_orders" and records.count() == line.denominator
    assert line.denominator >= 1 and line.value == D("100.00") and line.score == D("100.00")
    client.force_login(cast["agent"])
    html = client.get(f"/kpi/scorecards/{card.pk}/lines/ontime/").content.decode()
    assert html.count('class="kefu-record-row"') == line.denominator
