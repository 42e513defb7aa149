"""The work-order lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `work_order_transition` (services.py) is the only code that applies
it, and tests/test_workflow.py checks every (action, status, role) combination.

    new → accepted → dispatched → in_progress ⇄ on_hold → resolved → closed
    reopen: resolved/closed → accepted;  cancel: any open status → cancelled
"""

from dataclasses import dataclass
from enum import StrEnum

from kefu.org.choices import RoleCode as R
from kefu.workorders.choices import Action as A
from kefu.workorders.choices import Status as S

# Who receives, dispatches and follows up requests: front desk, stewards and management.
INTAKE_ROLES = frozenset({R.AGENT, R.STEWARD, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
# Who does dispatched work; these may act only on work dispatched to their team or to them.
WORKER_ROLES = frozenset({R.TECHNICIAN, R.VENDOR})
APPROVER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
ALL_ROLES = frozenset(R.values)

OPEN = frozenset({S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD})
PLAN_STATES = frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD})


@dataclass(frozen=True)
class Transition:
    """One action: allowed source statuses, the target (None: status unchanged), allowed roles,
    and the body fields that must be non-empty."""

    action: str
    sources: frozenset
    target: str | None
    roles: frozenset
    required: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(A.ACCEPT, frozenset({S.NEW}), S.ACCEPTED, INTAKE_ROLES),
        Transition(A.DISPATCH, frozenset({S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}), S.DISPATCHED,
                   INTAKE_ROLES, ("team",)),
        Transition(A.START, frozenset({S.ACCEPTED, S.DISPATCHED}), S.IN_PROGRESS, INTAKE_ROLES | WORKER_ROLES),
        Transition(A.HOLD, frozenset({S.IN_PROGRESS}), S.ON_HOLD, INTAKE_ROLES | WORKER_ROLES, ("reason",)),
        Transition(A.RESUME, frozenset({S.ON_HOLD}), S.IN_PROGRESS, INTAKE_ROLES | WORKER_ROLES),
        Transition(A.RESOLVE, frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED, INTAKE_ROLES | WORKER_ROLES,
                   ("resolution",)),
        Transition(A.CLOSE, frozenset({S.RESOLVED}), S.CLOSED, INTAKE_ROLES),
        Transition(A.REOPEN, frozenset({S.RESOLVED, S.CLOSED}), S.ACCEPTED, INTAKE_ROLES | {R.QA}, ("reason",)),
        Transition(A.CANCEL, OPEN, S.CANCELLED, INTAKE_ROLES, ("reason",)),
        Transition(A.COMMENT, frozenset(S.values), None, ALL_ROLES, ("body",)),
        Transition(A.SUBMIT_PLAN, PLAN_STATES, None, INTAKE_ROLES | {R.TECHNICIAN}, ("plan",)),
        Transition(A.APPROVE_PLAN, PLAN_STATES, None, APPROVER_ROLES),
        Transition(A.REJECT_PLAN, PLAN_STATES, None, APPROVER_ROLES, ("note",)),
    ]
}

ACTION_NAMES = tuple(TRANSITIONS)


class Refusal(StrEnum):
    UNKNOWN_ACTION = "unknown_action"
    ROLE = "role_not_allowed"
    STATE = "invalid_transition"


def check(*, action: str, status: str, role: str) -> Refusal | None:
    """None if `role` may take `action` from `status`; otherwise why not.

    The role is checked before the state: a role that may never take an action is refused
    with 403 whatever the order's state, so the answer does not leak the state.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        return Refusal.UNKNOWN_ACTION
    if role not in transition.roles:
        return Refusal.ROLE
    if status not in transition.sources:
        return Refusal.STATE
    return None


def target_status(*, action: str, status: str) -> str:
    """The status after `action` (the same status for actions that do not move the order)."""
    return TRANSITIONS[action].target or status


def missing_fields(*, action: str, data: dict) -> list[str]:
    return [name for name in TRANSITIONS[action].required
            if data.get(name) in (None, "") or (isinstance(data.get(name), str) and not data[name].strip())]
