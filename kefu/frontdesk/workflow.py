"""The release-pass lifecycle as data: which action may run from which status, by which roles.

    requested ─approve→ approved ─scan→ used (the guard records the exit, once)
    requested/approved ─cancel→ cancelled

Pure Python, no database: `services.release_pass_transition` applies it through the kernel's
gate (`kefu.core.workflow.run_transition`). Beyond the role, services.py checks the fees again
on approval (a unit that fell into arrears meanwhile needs the override) and answers a second
scan with when the pass was used.
"""

from kefu.core.workflow import Table, Transition
from kefu.frontdesk.choices import (
    DunningAction,
    DunningStatus,
    LoanAction,
    LoanStatus,
    ParcelAction,
    ParcelStatus,
    RenovationAction,
    RenovationStatus,
    ViolationAction,
    ViolationStatus,
    VisitAction,
    VisitStatus,
)
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

# Visitors and contractors: registered, let in and out at the desk.
VISIT_TABLE = Table(
    Transition(VisitAction.ARRIVE, {VisitStatus.EXPECTED}, VisitStatus.ARRIVED, DESK_ROLES),
    Transition(VisitAction.DEPART, {VisitStatus.ARRIVED}, VisitStatus.DEPARTED, DESK_ROLES),
    Transition(VisitAction.CANCEL, {VisitStatus.EXPECTED}, VisitStatus.CANCELLED, DESK_ROLES),
)
# Who may refuse a person at the gate for good.
BLACKLIST_ROLES = OVERRIDE_ROLES
# Keys: lent and taken back by the desk.
LOAN_TABLE = Table(
    Transition(LoanAction.RETURN, {LoanStatus.OUT}, LoanStatus.RETURNED, DESK_ROLES),
)
# Parcels: delivered by a steward (with the occupant's signature) or collected at the desk with the code.
PARCEL_TABLE = Table(
    Transition(ParcelAction.DELIVER, {ParcelStatus.RECEIVED}, ParcelStatus.DELIVERED, DESK_ROLES, ("signed_by",)),
    Transition(ParcelAction.COLLECT, {ParcelStatus.RECEIVED}, ParcelStatus.COLLECTED, DESK_ROLES, ("pickup_code",)),
)

# Renovations (装修管理), each step by the role the seeds give it: the steward (楼层管家) takes the
# application and reviews the drawings, the fee clerk records the deposit, stewards patrol the
# site, the steward and the management line accept the works, a manager signs the refund.
_RS, _RA = RenovationStatus, RenovationAction
REFUND_ROLES = frozenset({R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
RENOVATION_TABLE = Table(
    Transition(_RA.REVIEW, {_RS.APPLIED}, _RS.REVIEWED, APPROVER_ROLES),
    Transition(_RA.REJECT, {_RS.APPLIED}, _RS.REJECTED, APPROVER_ROLES, ("reason",)),
    Transition(_RA.PAY, {_RS.REVIEWED}, _RS.PERMITTED, FEE_ROLES, ("deposit",)),
    Transition(_RA.INSPECT, {_RS.PERMITTED}, None, APPROVER_ROLES),
    Transition(_RA.ORDER, {_RS.PERMITTED, _RS.RECTIFYING}, _RS.RECTIFYING, APPROVER_ROLES,
               ("finding", "rectify_by")),
    Transition(_RA.RECTIFIED, {_RS.RECTIFYING}, _RS.PERMITTED, APPROVER_ROLES),
    Transition(_RA.ACCEPT, {_RS.PERMITTED}, _RS.ACCEPTED, APPROVER_ROLES),
    Transition(_RA.REFUND, {_RS.ACCEPTED}, _RS.REFUNDED, REFUND_ROLES),
    Transition(_RA.CANCEL, {_RS.APPLIED, _RS.REVIEWED}, _RS.CANCELLED, DESK_ROLES, ("reason",)),
)

# Dunning (催缴): stewards and the fee desk chase, a manager takes escalated units and closes them.
_DS, _DA = DunningStatus, DunningAction
DUNNING_ROLES = FEE_ROLES
DUNNING_TABLE = Table(
    Transition(_DA.ATTEMPT, {_DS.OPEN, _DS.PROMISED, _DS.ESCALATED}, None, DUNNING_ROLES, ("method",)),
    Transition(_DA.PROMISE, {_DS.OPEN, _DS.ESCALATED}, _DS.PROMISED, DUNNING_ROLES, ("promise_date",)),
    Transition(_DA.ESCALATE, {_DS.OPEN, _DS.PROMISED}, _DS.ESCALATED, DUNNING_ROLES),
    # Closing an escalated task is the manager's (services check it: REFUND_ROLES).
    Transition(_DA.CLOSE, {_DS.OPEN, _DS.PROMISED, _DS.ESCALATED}, _DS.CLOSED, DUNNING_ROLES),
)

# Items lent to occupants: taken back by the desk.
ITEM_LOAN_TABLE = Table(
    Transition(LoanAction.RETURN, {LoanStatus.OUT}, LoanStatus.RETURNED, DESK_ROLES),
)
# Violations: the steward checks the rectification; a supervisor may cancel a wrong record.
VIOLATION_TABLE = Table(
    Transition(ViolationAction.RECTIFIED, {ViolationStatus.OPEN}, ViolationStatus.RECTIFIED, APPROVER_ROLES),
    Transition(ViolationAction.CANCEL, {ViolationStatus.OPEN}, ViolationStatus.CANCELLED, OVERRIDE_ROLES,
               ("reason",)),
)
