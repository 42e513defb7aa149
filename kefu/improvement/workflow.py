"""The corrective-action lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `corrective_action_transition` (services.py) is the only code that
applies it; tests/test_workflow.py checks it without a database.

    proposed ─issue→ issued → accepted → action_taken ─verify_effective→ effective ─close→ closed
    proposed ─dismiss→ dismissed
    action_taken ─verify_not_effective→ reissued → accepted → … (a new round, a new due date)

Beyond the role in this table, services.py checks who the person is: `accept` and
`record_action` are the owner's side (the owner, or a supervisor/manager over the responsible
department); verification is for QA or the issuer's own role, never the owner nor whoever
recorded the action.
"""

from dataclasses import dataclass
from enum import StrEnum

from kefu.improvement.choices import Action as A
from kefu.improvement.choices import Status as S
from kefu.org.choices import RoleCode as R

# Who raises, issues and closes notices: QA and the management line.
ISSUER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.QA, R.ADMINISTRATOR})
# Verification: QA, or the role that issued the notice (services.py narrows it to that role).
VERIFIER_ROLES = ISSUER_ROLES
ALL_ROLES = frozenset(R.values)

OWNER_PENDING = frozenset({S.ISSUED, S.REISSUED, S.ACCEPTED})
NOT_FINAL = frozenset(set(S.values) - {S.CLOSED, S.DISMISSED})


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
        Transition(A.ISSUE, frozenset({S.PROPOSED}), S.ISSUED, ISSUER_ROLES,
                   ("responsible_department", "owner", "due_date")),
        Transition(A.DISMISS, frozenset({S.PROPOSED}), S.DISMISSED, ISSUER_ROLES, ("reason",)),
        Transition(A.ACCEPT, frozenset({S.ISSUED, S.REISSUED}), S.ACCEPTED, ALL_ROLES),
        Transition(A.RECORD_ACTION, frozenset({S.ACCEPTED}), S.ACTION_TAKEN, ALL_ROLES,
                   ("root_cause", "action_taken")),
        Transition(A.VERIFY_EFFECTIVE, frozenset({S.ACTION_TAKEN}), S.EFFECTIVE, VERIFIER_ROLES, ("verification",)),
        Transition(A.VERIFY_NOT_EFFECTIVE, frozenset({S.ACTION_TAKEN}), S.REISSUED, VERIFIER_ROLES,
                   ("verification", "due_date")),
        Transition(A.CLOSE, frozenset({S.EFFECTIVE}), S.CLOSED, VERIFIER_ROLES),
        Transition(A.COMMENT, frozenset(S.values), None, ALL_ROLES, ("body",)),
    ]
}

ACTION_NAMES = tuple(TRANSITIONS)
OWNER_SIDE_ACTIONS = frozenset({A.ACCEPT, A.RECORD_ACTION})
VERIFY_ACTIONS = frozenset({A.VERIFY_EFFECTIVE, A.VERIFY_NOT_EFFECTIVE, A.CLOSE})


class Refusal(StrEnum):
    UNKNOWN_ACTION = "unknown_action"
    ROLE = "role_not_allowed"
    STATE = "invalid_transition"


def check(*, action: str, status: str, role: str) -> Refusal | None:
    """None if `role` may take `action` from `status`; otherwise why not (role before state, so
    a role that may never act learns nothing about the state)."""
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
        return value is None or (isinstance(value, str) and not value.strip())

    return [name for name in TRANSITIONS[action].required if empty(data.get(name))]
