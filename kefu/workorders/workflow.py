"""The work-order lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `work_order_transition` (services.py) applies it through the kernel's
gate (`kefu.core.workflow`), and tests/test_workflow.py checks every (action, status, role)
combination.

    new → accepted → dispatched → in_progress ⇄ on_hold → resolved → closed
    reopen: resolved/closed → accepted;  cancel: any open status → cancelled
"""

from kefu.core.workflow import Refusal, Table, Transition
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


TABLE = Table(
    Transition(A.ACCEPT, {S.NEW}, S.ACCEPTED, INTAKE_ROLES),
    Transition(A.DISPATCH, {S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}, S.DISPATCHED, INTAKE_ROLES, ("team",)),
    Transition(A.START, {S.ACCEPTED, S.DISPATCHED}, S.IN_PROGRESS, INTAKE_ROLES | WORKER_ROLES),
    Transition(A.HOLD, {S.IN_PROGRESS}, S.ON_HOLD, INTAKE_ROLES | WORKER_ROLES, ("reason",)),
    Transition(A.RESUME, {S.ON_HOLD}, S.IN_PROGRESS, INTAKE_ROLES | WORKER_ROLES),
    Transition(A.RESOLVE, {S.ACCEPTED, S.IN_PROGRESS}, S.RESOLVED, INTAKE_ROLES | WORKER_ROLES, ("resolution",)),
    Transition(A.CLOSE, {S.RESOLVED}, S.CLOSED, INTAKE_ROLES),
    Transition(A.REOPEN, {S.RESOLVED, S.CLOSED}, S.ACCEPTED, INTAKE_ROLES | {R.QA}, ("reason",)),
    Transition(A.CANCEL, OPEN, S.CANCELLED, INTAKE_ROLES, ("reason",)),
    Transition(A.COMMENT, frozenset(S.values), None, ALL_ROLES, ("body",)),
    Transition(A.SUBMIT_PLAN, PLAN_STATES, None, INTAKE_ROLES | {R.TECHNICIAN}, ("plan",)),
    Transition(A.APPROVE_PLAN, PLAN_STATES, None, APPROVER_ROLES),
    Transition(A.REJECT_PLAN, PLAN_STATES, None, APPROVER_ROLES, ("note",)),
)

# The table's checks by name (callers and tests read them as this module's functions).
TRANSITIONS = TABLE.transitions
ACTION_NAMES = TABLE.names
check = TABLE.check
target_status = TABLE.target_status
missing_fields = TABLE.missing_fields

__all__ = ["ACTION_NAMES", "TABLE", "TRANSITIONS", "Refusal", "check", "missing_fields", "target_status"]
