"""The transition table without a database."""

import pytest

from kefu.improvement import workflow
from kefu.improvement.choices import Status
from kefu.org.choices import RoleCode


@pytest.mark.parametrize(("action", "status", "role", "expected"), [
    ("issue", Status.PROPOSED, RoleCode.QA, None),
    ("issue", Status.PROPOSED, RoleCode.AGENT, workflow.Refusal.ROLE),
    ("issue", Status.ISSUED, RoleCode.QA, workflow.Refusal.STATE),
    ("accept", Status.ISSUED, RoleCode.AGENT, None),
    ("accept", Status.REISSUED, RoleCode.TECHNICIAN, None),
    ("accept", Status.ACCEPTED, RoleCode.TECHNICIAN, workflow.Refusal.STATE),
    ("record_action", Status.ACCEPTED, RoleCode.VENDOR, None),
    ("verify_effective", Status.ACTION_TAKEN, RoleCode.QA, None),
    ("verify_effective", Status.ACTION_TAKEN, RoleCode.AGENT, workflow.Refusal.ROLE),
    ("verify_not_effective", Status.ACCEPTED, RoleCode.QA, workflow.Refusal.STATE),
    ("close", Status.EFFECTIVE, RoleCode.SUPERVISOR, None),
    ("close", Status.ACTION_TAKEN, RoleCode.QA, workflow.Refusal.STATE),
    ("dismiss", Status.PROPOSED, RoleCode.CLERK, workflow.Refusal.ROLE),
    ("comment", Status.CLOSED, RoleCode.VENDOR, None),
    ("fly", Status.ISSUED, RoleCode.QA, workflow.Refusal.UNKNOWN_ACTION),
])
def test_check(action, status, role, expected):
    assert workflow.check(action=action, status=status, role=role) == expected


def test_targets():
    assert workflow.target_status(action="verify_not_effective", status="action_taken") == "reissued"
    assert workflow.target_status(action="comment", status="accepted") == "accepted"
    assert workflow.target_status(action="issue", status="proposed") == "issued"


def test_every_status_is_reachable_and_final_states_are_final():
    reachable = {t.target for t in workflow.TRANSITIONS.values() if t.target}
    assert reachable == set(Status.values) - {Status.PROPOSED}
    for name, t in workflow.TRANSITIONS.items():
        if name != "comment":
            assert not t.sources & {Status.CLOSED, Status.DISMISSED}, name


def test_missing_fields():
    assert workflow.missing_fields(action="record_action", data={"root_cause": "  ", "action_taken": "x"}) == [
        "root_cause"]
    assert workflow.missing_fields(action="verify_not_effective", data={}) == ["verification", "due_date"]
    assert workflow.missing_fields(action="accept", data={}) == []
