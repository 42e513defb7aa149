"""The article lifecycle as data: which action may run from which status, by which roles.

    draft ─submit→ review ─publish→ published ─archive→ archived
                   review ─reject→ draft (with a note)

Pure Python, no database: `services.article_transition` applies it. Beyond the role, services.py
checks the person: a writer acts on their own drafts only; nobody but an administrator approves
their own article.
"""

from dataclasses import dataclass

from kefu.knowledge.choices import ArticleAction as A
from kefu.knowledge.choices import ArticleStatus as S
from kefu.org.choices import RoleCode as R

# Who writes articles and cases: every staff role except vendor users.
WRITER_ROLES = frozenset(set(R.values) - {R.VENDOR})
# Who approves (publishes), sends back and archives: supervisors and above, QA, administrators.
PUBLISHER_ROLES = frozenset({R.SUPERVISOR, R.MANAGER, R.DIRECTOR, R.QA, R.ADMINISTRATOR})
# Shared canned replies are written by the same people.
SHARED_REPLY_ROLES = PUBLISHER_ROLES


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    roles: frozenset
    required: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(A.SUBMIT, frozenset({S.DRAFT}), S.REVIEW, WRITER_ROLES),
        Transition(A.PUBLISH, frozenset({S.REVIEW}), S.PUBLISHED, PUBLISHER_ROLES),
        Transition(A.REJECT, frozenset({S.REVIEW}), S.DRAFT, PUBLISHER_ROLES, ("note",)),
        Transition(A.ARCHIVE, frozenset({S.PUBLISHED}), S.ARCHIVED, PUBLISHER_ROLES),
    ]
}
ACTION_NAMES = tuple(TRANSITIONS)
# Edits: writers edit drafts (their own); publishers edit drafts, articles in review and
# published ones (a new revision, approved by the editing).
EDITABLE_BY_WRITER = frozenset({S.DRAFT})
EDITABLE_BY_PUBLISHER = frozenset({S.DRAFT, S.REVIEW, S.PUBLISHED})


def check(*, action: str, status: str, role: str) -> str | None:
    """None if `role` may take `action` from `status`; else the refusal code (role before state)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return "unknown_action"
    if role not in transition.roles:
        return "role_not_allowed"
    if status not in transition.sources:
        return "invalid_transition"
    return None


def may_edit(*, status: str, role: str, is_author: bool) -> bool:
    if role in PUBLISHER_ROLES:
        return status in EDITABLE_BY_PUBLISHER
    return role in WRITER_ROLES and is_author and status in EDITABLE_BY_WRITER
