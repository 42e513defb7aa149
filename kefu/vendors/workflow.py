"""Nonconformity and scorecard lifecycles as data (the kernel's Tables; services.py applies them).

    nonconformity: open → replied (the vendor) → closed (verified) | open again (rejected)
    scorecard:     draft (computed, recomputed) → signed (a manager; then locked)
"""

from kefu.core.workflow import Table, Transition
from kefu.org.choices import RoleCode as R
from kefu.vendors.choices import NonconformityAction as NA
from kefu.vendors.choices import NonconformityStatus as NS
from kefu.vendors.choices import ScorecardAction as SA
from kefu.vendors.choices import ScorecardStatus as SS

# Who raises and verifies nonconformities: supervisors (environment/vendor supervisors), QA, up.
INSPECTOR_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.QA, R.ADMINISTRATOR})
SIGNER_ROLES = frozenset({R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
MANAGER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})

NONCONFORMITY_TABLE = Table(
    Transition(NA.REPLY, {NS.OPEN}, NS.REPLIED, {R.VENDOR}, ("reply",)),
    Transition(NA.VERIFY, {NS.REPLIED}, NS.CLOSED, INSPECTOR_ROLES, ("verification",)),
    Transition(NA.REJECT, {NS.REPLIED}, NS.OPEN, INSPECTOR_ROLES, ("verification",)),
)

SCORECARD_TABLE = Table(
    Transition(SA.SIGN, {SS.DRAFT}, SS.SIGNED, SIGNER_ROLES),
)
