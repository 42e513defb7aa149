"""The notice lifecycle as data.

    draft ─submit→ pending_approval ─approve→ approved ─send→ sending ─(worker: all queued)→ sent
    pending_approval ─send→ sending      only up to KEFU_NOTICE_APPROVAL_ABOVE recipients
    draft | pending_approval | approved | sending ─cancel→ cancelled (what is not sent yet stays unsent)
"""

from kefu.core.workflow import Table, Transition
from kefu.notices.choices import NoticeAction as A
from kefu.notices.choices import NoticeStatus as S
from kefu.org.choices import RoleCode as R

WRITER_ROLES = frozenset({R.AGENT, R.STEWARD, R.CLERK, R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})
APPROVER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.ADMINISTRATOR})

TABLE = Table(
    Transition(A.SUBMIT, {S.DRAFT}, S.PENDING_APPROVAL, WRITER_ROLES),
    Transition(A.APPROVE, {S.PENDING_APPROVAL}, S.APPROVED, APPROVER_ROLES),
    Transition(A.SEND, {S.APPROVED, S.PENDING_APPROVAL}, S.SENDING, WRITER_ROLES),
    Transition(A.CANCEL, {S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.SENDING}, S.CANCELLED, WRITER_ROLES),
)
