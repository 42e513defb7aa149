"""The repair record's actions as data: which action runs from which status, by which roles.

    open ── update / add_part / remove_part / submit_quote / collect ──► open
    open ── sign (the customer on site) ──► signed;  signed ── collect ──► signed

Technicians and vendors act only on work dispatched to their team or to them (the service's
`authorize`); the quote is the order's handling plan, so it may be submitted by the roles that may
submit a plan (not vendors: their quotes go through the service center).
"""

from kefu.core.workflow import Table, Transition
from kefu.org.choices import RoleCode as R
from kefu.repairs.choices import RecordAction as A
from kefu.repairs.choices import RecordStatus as S

INTAKE_ROLES = frozenset({R.AGENT, R.STEWARD, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
WORKER_ROLES = frozenset({R.TECHNICIAN, R.VENDOR})
EDITORS = INTAKE_ROLES | WORKER_ROLES
QUOTERS = INTAKE_ROLES | {R.TECHNICIAN}

TABLE = Table(
    Transition(A.UPDATE, {S.OPEN}, None, EDITORS),
    Transition(A.ADD_PART, {S.OPEN}, None, EDITORS, ("quantity",)),
    Transition(A.REMOVE_PART, {S.OPEN}, None, EDITORS, ("part",)),
    Transition(A.SUBMIT_QUOTE, {S.OPEN}, None, QUOTERS),
    Transition(A.COLLECT, {S.OPEN, S.SIGNED}, None, EDITORS, ("amount", "payment_method")),
    Transition(A.SIGN, {S.OPEN}, S.SIGNED, EDITORS, ("signature", "signer_name")),
)
