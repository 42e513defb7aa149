"""The article lifecycle as data: which action may run from which status, by which roles.

    draft ─submit→ review ─publish→ published ─archive→ archived
                   review ─reject→ draft (with a note)

Pure Python, no database: `services.article_transition` applies it through the kernel's gate
(`kefu.core.workflow.run_transition`). Beyond the role, services.py
checks the person: a writer acts on their own drafts only; nobody but an administrator approves
their own article.
"""

from kefu.core.workflow import Table, Transition
from kefu.knowledge.choices import ArticleAction as A
from kefu.knowledge.choices import ArticleStatus as S
from kefu.org.choices import RoleCode as R

# Who writes articles and cases: every staff role except vendor users.
WRITER_ROLES = frozenset(set(R.values) - {R.VENDOR})
# Who approves (publishes), sends back and archives: supervisors and above, QA, administrators.
PUBLISHER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.QA, R.ADMINISTRATOR})
# Shared canned replies are written by the same people.
SHARED_REPLY_ROLES = PUBLISHER_ROLES


TABLE = Table(
    Transition(A.SUBMIT, {S.DRAFT}, S.REVIEW, WRITER_ROLES),
    Transition(A.PUBLISH, {S.REVIEW}, S.PUBLISHED, PUBLISHER_ROLES),
    Transition(A.REJECT, {S.REVIEW}, S.DRAFT, PUBLISHER_ROLES, ("note",)),
    Transition(A.ARCHIVE, {S.PUBLISHED}, S.ARCHIVED, PUBLISHER_ROLES),
)
TRANSITIONS = TABLE.transitions
ACTION_NAMES = TABLE.names
# Edits: writers edit drafts (their own); publishers edit drafts, articles in review and
# published ones (a new revision, approved by the editing).
EDITABLE_BY_WRITER = frozenset({S.DRAFT})
EDITABLE_BY_PUBLISHER = frozenset({S.DRAFT, S.REVIEW, S.PUBLISHED})


def may_edit(*, status: str, role: str, is_author: bool) -> bool:
    if role in PUBLISHER_ROLES:
        return status in EDITABLE_BY_PUBLISHER
    return role in WRITER_ROLES and is_author and status in EDITABLE_BY_WRITER
