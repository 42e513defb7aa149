"""The patrol round's lifecycle as data (the kernel's Table; services.py applies it).

    planned → in_progress (first checkpoint visited) → completed (every checkpoint visited)
    planned / in_progress → missed (the sweeper, as the system, once `missed_after` passes)
    missed → in_progress: answers recorded offline before `missed_after` arrive late
"""

from kefu.core.workflow import Table, Transition
from kefu.org.choices import RoleCode as R
from kefu.patrols.choices import RoundAction as A
from kefu.patrols.choices import RoundStatus as S

# Everyone on staff may walk a route they are given, except vendors (they are patrolled).
PATROL_ROLES = frozenset(R.values) - {R.VENDOR}
# Who plans routes and schedules and follows the missed rounds.
MANAGER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
SYSTEM_ROLES = frozenset({R.ADMINISTRATOR})

TABLE = Table(
    Transition(A.VISIT, {S.PLANNED, S.IN_PROGRESS, S.MISSED}, S.IN_PROGRESS, PATROL_ROLES, ("checkpoint",)),
    Transition(A.COMPLETE, {S.IN_PROGRESS}, S.COMPLETED, PATROL_ROLES),
    Transition(A.MISS, {S.PLANNED, S.IN_PROGRESS}, S.MISSED, SYSTEM_ROLES),
)
