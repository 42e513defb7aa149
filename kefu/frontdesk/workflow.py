"""The release-pass lifecycle as data: which action may run from which status, by which roles.

    requested ─approve→ approved ─scan→ used (the guard records the exit, once)
    requested/approved ─cancel→ cancelled

Pure Python, no database: `services.release_pass_transition` applies it through the kernel's
gate (`kefu.core.workflow.run_transition`). Beyond the role, services.py checks the fees again
on approval (a unit that fell into arrears meanwhile needs the override) and answers a second
scan with when the pass was used.
"""

from kefu.core.workflow import Table, Transition
from kefu.frontdesk.choices import PassAction as A
from kefu.frontdesk.choices import PassStatus as S
from kefu.org.choices import RoleCode as R

# Who takes requests at the desk (for an occupant) or on the floor.
DESK_ROLES = frozenset({R.AGENT, R.STEWARD, R.CLERK, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
# Who approves passes: the unit's steward and the management line.
APPROVER_ROLES = frozenset({R.STEWARD, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
# Who may let a unit in arrears move goods out, with a reason.
OVERRIDE_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
# Who records the exit at the gate (the guard works with a desk account).
GATE_ROLES = DESK_ROLES
# Who enters bills and payments.
FEE_ROLES = frozenset({R.STEWARD, R.CLERK, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})

TABLE = Table(
    Transition(A.APPROVE, {S.REQUESTED}, S.APPROVED, APPROVER_ROLES),
    Transition(A.SCAN, {S.APPROVED}, S.USED, GATE_ROLES),
    Transition(A.CANCEL, {S.REQUESTED, S.APPROVED}, S.CANCELLED, DESK_ROLES, ("reason",)),
)
ACTION_NAMES = TABLE.names
