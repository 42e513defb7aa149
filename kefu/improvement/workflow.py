"""The corrective-action lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `corrective_action_transition` (services.py) applies it through the
kernel's gate (`kefu.core.workflow.run_transition`); tests/test_workflow.py checks it without a
database.

    proposed ─issue→ issued → accepted → action_taken ─verify_effective→ effective ─close→ closed
    proposed ─dismiss→ dismissed
    action_taken ─verify_not_effective→ reissued → accepted → … (a new round, a new due date)

Beyond the role in this table, services.py checks who the person is: `accept` and
`record_action` are the owner's side (the owner, or a supervisor/manager over the responsible
department); verification is for QA or the issuer's own role, never the owner nor whoever
recorded the action.
"""

from kefu.core.workflow import Refusal, Table, Transition
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

TABLE = Table(
    Transition(A.ISSUE, {S.PROPOSED}, S.ISSUED, ISSUER_ROLES, ("responsible_department", "owner", "due_date")),
    Transition(A.DISMISS, {S.PROPOSED}, S.DISMISSED, ISSUER_ROLES, ("reason",)),
    Transition(A.ACCEPT, {S.ISSUED, S.REISSUED}, S.ACCEPTED, ALL_ROLES),
    Transition(A.RECORD_ACTION, {S.ACCEPTED}, S.ACTION_TAKEN, ALL_ROLES, ("root_cause", "action_taken")),
    Transition(A.VERIFY_EFFECTIVE, {S.ACTION_TAKEN}, S.EFFECTIVE, VERIFIER_ROLES, ("verification",)),
    Transition(A.VERIFY_NOT_EFFECTIVE, {S.ACTION_TAKEN}, S.REISSUED, VERIFIER_ROLES, ("verification", "due_date")),
    Transition(A.CLOSE, {S.EFFECTIVE}, S.CLOSED, VERIFIER_ROLES),
    Transition(A.COMMENT, frozenset(S.values), None, ALL_ROLES, ("body",)),
)

OWNER_SIDE_ACTIONS = frozenset({A.ACCEPT, A.RECORD_ACTION})
VERIFY_ACTIONS = frozenset({A.VERIFY_EFFECTIVE, A.VERIFY_NOT_EFFECTIVE, A.CLOSE})

# The table's checks by name (callers and tests read them as this module's functions).
TRANSITIONS = TABLE.transitions
ACTION_NAMES = TABLE.names
check = TABLE.check
target_status = TABLE.target_status
missing_fields = TABLE.missing_fields

__all__ = ["ACTION_NAMES", "ALL_ROLES", "ISSUER_ROLES", "NOT_FINAL", "OWNER_PENDING", "OWNER_SIDE_ACTIONS",
           "TABLE", "TRANSITIONS", "VERIFIER_ROLES", "VERIFY_ACTIONS", "Refusal", "check", "missing_fields",
           "target_status"]
