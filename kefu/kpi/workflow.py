"""The scorecard lifecycle as data: which action may run from which status, by which roles.

Pure Python, no database: the scorecard services (services.py) apply it through the kernel's
gate (`kefu.core.workflow.run_transition`).

    draft ─refresh/enter→ draft ─sign_off→ signed_off   (locked for good)

Every role is in the table; services.py checks who the person is: a manual value is entered by
the indicator's entering role over the person's department, never by the person; sign-off is for
a lead ranked above the person. The nightly recompute acts as the system (`SYSTEM_ROLE`).
"""

from kefu.core.workflow import SYSTEM_ROLE, Refusal, Table, Transition
from kefu.kpi.choices import ScorecardAction as A
from kefu.kpi.choices import ScorecardStatus as S
from kefu.org.choices import RoleCode as R

ALL_ROLES = frozenset(R.values)

TABLE = Table(
    Transition(A.REFRESH, {S.DRAFT}, None, ALL_ROLES | {SYSTEM_ROLE}),
    Transition(A.ENTER, {S.DRAFT}, None, ALL_ROLES),
    Transition(A.SIGN_OFF, {S.DRAFT}, S.SIGNED_OFF, ALL_ROLES),
)

TRANSITIONS = TABLE.transitions
ACTION_NAMES = TABLE.names
check = TABLE.check

__all__ = ["ACTION_NAMES", "ALL_ROLES", "TABLE", "TRANSITIONS", "Refusal", "check"]
