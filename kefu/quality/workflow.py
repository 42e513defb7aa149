"""The QA-check lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `qa_check_transition` (services.py) is the only code that applies it;
tests/test_workflow.py checks it without a database.

    pending ─score→ scored ─appeal→ appealed ─uphold→ final   (the score stands)
                                            ─amend→  final   (rescored by the supervisor)
    scored/final (failed) ─raise_corrective_action→ unchanged (proposes a corrective action notice)

Beyond the role in this table, services.py checks who the person is: only the check's agent
appeals, and only once (the status passes through `appealed` once); scorers and deciders must
see the check (their department subtree) and never act on their own work; whoever scored a
check does not decide its appeal.
"""

from dataclasses import dataclass
from enum import StrEnum

from kefu.org.choices import RoleCode as R
from kefu.quality.choices import CheckAction as A
from kefu.quality.choices import CheckStatus as S

SCORER_ROLES = frozenset({R.QA, R.SUPERVISOR, R.MANAGER, R.ADMINISTRATOR})
DECIDER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
NOTICE_ROLES = frozenset({R.QA, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
ALL_ROLES = frozenset(R.values)


@dataclass(frozen=True)
class Transition:
    """One action: allowed source statuses, the target (None: unchanged), allowed roles, and the
    body fields that must be non-empty."""

    action: str
    sources: frozenset
    target: str | None
    roles: frozenset
    required: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(A.SCORE, frozenset({S.PENDING}), S.SCORED, SCORER_ROLES, ("scores",)),
        Transition(A.APPEAL, frozenset({S.SCORED}), S.APPEALED, ALL_ROLES, ("reason",)),
        Transition(A.UPHOLD, frozenset({S.APPEALED}), S.FINAL, DECIDER_ROLES, ("comment",)),
        Transition(A.AMEND, frozenset({S.APPEALED}), S.FINAL, DECIDER_ROLES, ("scores", "comment")),
        Transition(A.RAISE_CORRECTIVE_ACTION, frozenset({S.SCORED, S.FINAL}), None, NOTICE_ROLES),
    ]
}

ACTION_NAMES = tuple(TRANSITIONS)
DECIDE_ACTIONS = frozenset({A.UPHOLD, A.AMEND})


class Refusal(StrEnum):
    UNKNOWN_ACTION = "unknown_action"
    ROLE = "role_not_allowed"
    STATE = "invalid_transition"


def check(*, action: str, status: str, role: str) -> Refusal | None:
    """None if `role` may take `action` from `status`; otherwise why not (role before state)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return Refusal.UNKNOWN_ACTION
    if role not in transition.roles:
        return Refusal.ROLE
    if status not in transition.sources:
        return Refusal.STATE
    return None


def target_status(*, action: str, status: str) -> str:
    return TRANSITIONS[action].target or status


def missing_fields(*, action: str, data: dict) -> list[str]:
    def empty(value) -> bool:
        return value is None or (isinstance(value, str | list | dict | tuple) and not
                                 (value.strip() if isinstance(value, str) else value))

    return [name for name in TRANSITIONS[action].required if empty(data.get(name))]
