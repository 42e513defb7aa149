"""The QA-check transition table, without a database."""

from kefu.quality import workflow


def test_every_role_and_state_answer():
    assert workflow.check(action="score", status="pending", role="qa") is None
    assert workflow.check(action="score", status="pending", role="agent") is workflow.Refusal.ROLE
    assert workflow.check(action="score", status="scored", role="qa") is workflow.Refusal.STATE
    assert workflow.check(action="appeal", status="scored", role="agent") is None
    assert workflow.check(action="appeal", status="final", role="agent") is workflow.Refusal.STATE
    assert workflow.check(action="appeal", status="appealed", role="agent") is workflow.Refusal.STATE
    assert workflow.check(action="uphold", status="appealed", role="qa") is workflow.Refusal.ROLE
    assert workflow.check(action="amend", status="appealed", role="supervisor") is None
    assert workflow.check(action="raise_corrective_action", status="pending", role="qa") is workflow.Refusal.STATE
    assert workflow.check(action="bogus", status="pending", role="qa") is workflow.Refusal.UNKNOWN_ACTION


def test_targets_and_required_fields():
    assert workflow.target_status(action="score", status="pending") == "scored"
    assert workflow.target_status(action="raise_corrective_action", status="final") == "final"
    assert workflow.missing_fields(action="amend", data={"scores": {}, "comment": " "}) == ["scores", "comment"]
    assert workflow.missing_fields(action="appeal", data={"reason": "不服"}) == []
