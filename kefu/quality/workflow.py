"""The QA-check lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: `qa_check_transition` (services.py) applies it through the kernel's gate
(`kefu.core.workflow.run_transition`);
tests/test_workflow.py checks it without a database.

    pending ─score→ scored ─appeal→ appealed ─uphold→ final   (the score stands)
                                            ─amend→  final   (rescored by the supervisor)
    scored/final (failed) ─raise_corrective_action→ unchanged (proposes a corrective action notice)

Beyond the role in this table, services.py checks who the person is: only the check's agent
appeals, and only once (the status passes through `appealed` once); scorers and deciders must
see the check (their department subtree) and never act on their own work; whoever scored a
check does not decide its appeal.
"""

from kefu.core.workflow import Refusal, Table, Transition
from kefu.org.choices import RoleCode as R
from kefu.quality.choices import CheckAction as A
from kefu.quality.choices import CheckStatus as S

SCORER_ROLES = frozenset({R.QA, R.SUPERVISOR, R.MANAGER, R.ADMINISTRATOR})
DECIDER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
NOTICE_ROLES = frozenset({R.QA, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
ALL_ROLES = frozenset(R.values)

TABLE = Table(
    Transition(A.SCORE, {S.PENDING}, S.SCORED, SCORER_ROLES, ("scores",)),
    Transition(A.APPEAL, {S.SCORED}, S.APPEALED, ALL_ROLES, ("reason",)),
    Transition(A.UPHOLD, {S.APPEALED}, S.FINAL, DECIDER_ROLES, ("comment",)),
    Transition(A.AMEND, {S.APPEALED}, S.FINAL, DECIDER_ROLES, ("scores", "comment")),
    Transition(A.RAISE_CORRECTIVE_ACTION, {S.SCORED, S.FINAL}, None, NOTICE_ROLES),
)

DECIDE_ACTIONS = frozenset({A.UPHOLD, A.AMEND})

# The table's checks by name (callers and tests read them as this module's functions).
TRANSITIONS = TABLE.transitions
ACTION_NAMES = TABLE.names
check = TABLE.check
target_status = TABLE.target_status
missing_fields = TABLE.missing_fields

__all__ = ["ACTION_NAMES", "ALL_ROLES", "DECIDER_ROLES", "DECIDE_ACTIONS", "NOTICE_ROLES", "SCORER_ROLES", "TABLE",
           "TRANSITIONS", "Refusal", "check", "missing_fields", "target_status"]
