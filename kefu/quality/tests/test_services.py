"""QA checks through the one gate: scoring, the single appeal, the supervisor's decision, the
corrective action proposal, and the refusals (with nothing written)."""

from decimal import Decimal

import pytest

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.improvement.models import CorrectiveAction
from kefu.quality.models import QACheck, QACheckEvent, QACheckItemScore
from kefu.quality.services import qa_check_transition
from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks, scored_check

pytestmark = pytest.mark.django_db


def actions(check):
    return list(QACheckEvent.objects.filter(qa_check=check).order_by("id").values_list("action", flat=True))


def test_qa_scores_a_sampled_order_weighted_by_the_form(cast):
    check = sample_checks(agent=cast["agent"])[0]
    scores = {**ALL_FULL, "readback": 50, "promise": 75}  # 100 − 10×0.5 − 20×0.25 = 90
    check = qa_check_transition(check=check, action="score", actor_user=cast["qa"], scores=scores, comment="好")
    assert (check.status, check.score, check.passed, check.scored_by, check.version) == (
        "scored", Decimal("90.00"), True, cast["qa"], 2)
    assert dict(QACheckItemScore.objects.filter(qa_check=check).values_list("item__code", "points")) == {
        "greeting": Decimal("100.00"), "logging": Decimal("100.00"), "category": Decimal("100.00"),
        "promise": Decimal("75.00"), "resolution": Decimal("100.00"), "readback": Decimal("50.00")}
    assert actions(check) == ["sample", "score"]


def test_failing_score_below_the_threshold(cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    assert (check.score, check.passed) == (Decimal("58.50"), False)


@pytest.mark.parametrize("scores, field", [
    ({**ALL_FULL, "readback": 101}, "scores.readback"),
    ({**ALL_FULL, "greeting": -1}, "scores.greeting"),
    ({**ALL_FULL, "logging": "abc"}, "scores.logging"),
    ({k: v for k, v in ALL_FULL.items() if k != "category"}, "scores.category"),
    ({**ALL_FULL, "bogus": 5}, "scores.bogus"),
    ({}, "scores"),
])
def test_bad_scores_are_refused_and_nothing_is_written(cast, scores, field):
    check = sample_checks(agent=cast["agent"])[0]
    with pytest.raises(InvalidInput) as info:
        qa_check_transition(check=check, action="score", actor_user=cast["qa"], scores=scores)
    assert field in info.value.fields
    check.refresh_from_db()
    assert (check.status, check.score, check.version) == ("pending", None, 1)
    assert not QACheckItemScore.objects.filter(qa_check=check).exists()
    assert actions(check) == ["sample"]


def test_agent_may_appeal_once_and_supervisor_decides(cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    check = qa_check_transition(check=check, action="appeal", actor_user=cast["agent"], reason="客户要求不复述")
    assert (check.status, check.appeal_reason) == ("appealed", "客户要求不复述")
    # the QA who scored cannot decide; the supervisor rescoring it closes the check
    check = qa_check_transition(check=check, action="amend", actor_user=cast["supervisor"],
                                scores={**FAILING, "readback": 100, "category": 100, "promise": 100},
                                comment="复述不适用")
    # 58.5 + 10×1.0 + 15×0.5 + 20×0.4 = 84.0
    assert (check.status, check.score, check.original_score, check.passed, check.appeal_decision,
            check.decided_by) == ("final", Decimal("84.00"), Decimal("58.50"), True, "amended", cast["supervisor"])
    with pytest.raises(Conflict) as info:
        qa_check_transition(check=check, action="appeal", actor_user=cast["agent"], reason="再申诉")
    assert info.value.code == "already_appealed"
    assert actions(check) == ["sample", "score", "appeal", "amend"]


def test_uphold_keeps_the_score(cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    check = qa_check_transition(check=check, action="appeal", actor_user=cast["agent"], reason="不服")
    check = qa_check_transition(check=check, action="uphold", actor_user=cast["supervisor"], comment="录音为证")
    assert (check.status, check.score, check.appeal_decision, check.appeal_comment) == (
        "final", Decimal("58.50"), "upheld", "录音为证")


@pytest.mark.parametrize("who, action, data, error, code", [
    ("supervisor", "appeal", {"reason": "x"}, NotAllowed, "not_agent"),
    ("agent", "score", {"scores": ALL_FULL}, NotAllowed, "role_not_allowed"),
    ("steward", "appeal", {"reason": "x"}, NotFound, "not_found"),
    ("other_steward", "uphold", {"comment": "x"}, NotFound, "not_found"),
])
def test_refusals_write_nothing(cast, who, action, data, error, code):
    check = scored_check(agent=cast["agent"], qa=cast["qa"])
    with pytest.raises(error) as info:
        qa_check_transition(check=check, action=action, actor_user=cast[who], **data)
    assert info.value.code == code
    check.refresh_from_db()
    assert (check.status, check.version) == ("scored", 2)
    assert actions(check) == ["sample", "score"]


def test_scorer_cannot_decide_the_appeal_on_own_score(cast):
    check = sample_checks(agent=cast["agent"])[0]
    check = qa_check_transition(check=check, action="score", actor_user=cast["supervisor"], scores=FAILING)
    check = qa_check_transition(check=check, action="appeal", actor_user=cast["agent"], reason="不服")
    with pytest.raises(NotAllowed) as info:
        qa_check_transition(check=check, action="uphold", actor_user=cast["supervisor"], comment="维持")
    assert info.value.code == "own_score"
    check.refresh_from_db()
    assert check.status == "appealed"


def test_stale_version_is_a_conflict(cast):
    check = sample_checks(agent=cast["agent"])[0]
    with pytest.raises(Conflict) as info:
        qa_check_transition(check=check, action="score", actor_user=cast["qa"], scores=ALL_FULL, expected_version=7)
    assert info.value.code == "concurrent_change"
    assert QACheck.objects.get(pk=check.pk).status == "pending"


def test_failed_check_proposes_a_corrective_action_once(cast, org):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    check = qa_check_transition(check=check, action="raise_corrective_action", actor_user=cast["qa"])
    notice = CorrectiveAction.objects.get()
    assert (notice.source, notice.reference, notice.status, notice.responsible_department) == (
        "qa_check", f"qa_check:{check.pk}", "proposed", org["front"])
    assert [e["url"] for e in notice.evidence] == [f"/quality/{check.pk}/", f"/work-orders/{check.work_order_id}/"]
    assert check.corrective_action == notice and check.status == "scored"
    with pytest.raises(Conflict) as info:
        qa_check_transition(check=check, action="raise_corrective_action", actor_user=cast["qa"])
    assert info.value.code == "already_raised"
    assert CorrectiveAction.objects.count() == 1


def test_passed_check_raises_no_notice(cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"])
    with pytest.raises(Conflict) as info:
        qa_check_transition(check=check, action="raise_corrective_action", actor_user=cast["qa"])
    assert info.value.code == "passed"
    assert not CorrectiveAction.objects.exists()
