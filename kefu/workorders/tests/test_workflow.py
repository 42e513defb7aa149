"""The transition table, checked for every (action, status, role) without a database."""

import pytest

from kefu.org.choices import RoleCode
from kefu.workorders import workflow
from kefu.workorders.choices import Action, Status

S = Status
EXPECTED_SOURCES = {
    "accept": {S.NEW},
    "dispatch": {S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS},
    "start": {S.ACCEPTED, S.DISPATCHED},
    "hold": {S.IN_PROGRESS},
    "resume": {S.ON_HOLD},
    "resolve": {S.ACCEPTED, S.IN_PROGRESS},
    "close": {S.RESOLVED},
    "reopen": {S.RESOLVED, S.CLOSED},
    "cancel": {S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD},
    "comment": set(S.values),
    "submit_plan": {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD},
    "approve_plan": {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD},
    "reject_plan": {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD},
}
EXPECTED_TARGET = {"accept": S.ACCEPTED, "dispatch": S.DISPATCHED, "start": S.IN_PROGRESS, "hold": S.ON_HOLD,
                   "resume": S.IN_PROGRESS, "resolve": S.RESOLVED, "close": S.CLOSED, "reopen": S.ACCEPTED,
                   "cancel": S.CANCELLED}
INTAKE = {"agent", "steward", "supervisor", "manager", "director", "administrator"}
EXPECTED_ROLES = {
    "accept": INTAKE, "dispatch": INTAKE, "close": INTAKE, "cancel": INTAKE,
    "start": INTAKE | {"technician", "vendor"}, "hold": INTAKE | {"technician", "vendor"},
    "resume": INTAKE | {"technician", "vendor"}, "resolve": INTAKE | {"technician", "vendor"},
    "reopen": INTAKE | {"qa"}, "comment": set(RoleCode.values), "submit_plan": INTAKE | {"technician"},
    "approve_plan": {"supervisor", "manager", "director", "administrator"},
    "reject_plan": {"supervisor", "manager", "director", "administrator"},
}


def test_the_table_names_every_api_action_and_nothing_else():
    assert set(workflow.ACTION_NAMES) == set(EXPECTED_SOURCES)
    assert set(workflow.ACTION_NAMES) <= set(Action.values)


@pytest.mark.parametrize("action", sorted(EXPECTED_SOURCES))
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", RoleCode.values)
def test_check_every_action_status_role(action, status, role):
    result = workflow.check(action=action, status=status, role=role)
    if role not in EXPECTED_ROLES[action]:
        assert result is workflow.Refusal.ROLE
    elif status not in EXPECTED_SOURCES[action]:
        assert result is workflow.Refusal.STATE
    else:
        assert result is None


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", sorted(EXPECTED_SOURCES))
def test_target_status(action, status):
    assert workflow.target_status(action=action, status=status) == EXPECTED_TARGET.get(action, status)


def test_unknown_action_is_refused():
    assert workflow.check(action="delete", status=S.NEW, role="administrator") is workflow.Refusal.UNKNOWN_ACTION


def test_closed_and_cancelled_orders_only_take_comments_or_reopen():
    for status in (S.CLOSED, S.CANCELLED):
        allowed = {a for a in workflow.ACTION_NAMES if workflow.check(action=a, status=status, role="administrator")
                   is None}
        assert allowed == ({"comment", "reopen"} if status == S.CLOSED else {"comment"})


@pytest.mark.parametrize(("action", "data", "missing"), [
    ("dispatch", {}, ["team"]),
    ("hold", {"reason": "   "}, ["reason"]),
    ("resolve", {"resolution": "修好了"}, []),
    ("reopen", {}, ["reason"]),
    ("cancel", {"reason": ""}, ["reason"]),
    ("comment", {"body": None}, ["body"]),
    ("submit_plan", {}, ["plan"]),
    ("reject_plan", {"note": "不同意"}, []),
    ("approve_plan", {}, []),
])
def test_required_fields(action, data, missing):
    assert workflow.missing_fields(action=action, data=data) == missing
