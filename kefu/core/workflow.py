"""The shared kernel of every workflow: transition tables, refusals, compare-and-swap, the gate.

A workflow is a record with a `status` and a `version`, a transition table (data: which action
may run from which status, by which roles, with which required fields) and an `_apply` function
(the action's own validation and field changes). Everything else — the order of the checks, the
mapping of refusals to 404/403/409/400, the compare-and-swap on `version`, the lock order — is
written once, here, and taken by each app as arguments (no registry, no metaclass):

    TABLE = Table(Transition("accept", {"new"}, "accepted", INTAKE_ROLES), ...)

    FLOW = Workflow(model=Notice, table=TABLE, subject=_("notice"), not_found=_("Notice not found."),
                    action_label=lambda a: Action(a).label, status_label=lambda s: Status(s).label,
                    queryset=lambda: Notice.objects.select_related("site"), can_see=selectors.can_see,
                    apply=_apply, record=_record)

    def notice_transition(*, notice, action, actor_user, expected_version=None, **data):
        return run_transition(FLOW, obj=notice, action=action, actor_user=actor_user,
                              expected_version=expected_version, data=data)

`docs/architecture.md` ("How to add a workflow") walks through a complete example.

Lock order (ADR 0002): the gate locks the record's row first (`SELECT … FOR UPDATE`), before
any hook touches rows that hang off it (clocks, callbacks, facts), so two writers on one record
queue on that row and never deadlock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.db import retry_on_deadlock
from kefu.core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed, NotFound


@dataclass(frozen=True)
class Transition:
    """One action: allowed source statuses, the target (None: the status stays), allowed roles,
    and the body fields that must be non-empty."""

    action: str
    sources: AbstractSet[str]  # a frozenset once built
    target: str | None
    roles: AbstractSet[str]  # a frozenset once built
    required: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept any iterable for readability of the tables; store frozensets.
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "roles", frozenset(self.roles))


class Refusal(StrEnum):
    """Why the table refuses an action; `refusal_error` maps each to its HTTP status."""

    UNKNOWN_ACTION = "unknown_action"  # 404
    ROLE = "role_not_allowed"  # 403
    STATE = "invalid_transition"  # 409


def is_blank(value: object) -> bool:
    """Empty for a required field: None, "" or only white space, or an empty list/dict/tuple/set
    (a QA check's `scores`)."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple | set | frozenset):
        return not value
    return value is None


class Table:
    """A workflow's transition table: pure data, checked without a database."""

    def __init__(self, *transitions: Transition):
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        if len(self.transitions) != len(transitions):
            raise ValueError("an action is listed twice in the transition table")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def __contains__(self, action: object) -> bool:
        return action in self.transitions

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions.values())

    def check(self, *, action: str, status: str, role: str) -> Refusal | None:
        """None if `role` may take `action` from `status`; otherwise why not.

        The role is checked before the state: a role that may never take an action is refused
        with 403 whatever the record's state, so the answer does not leak the state."""
        transition = self.transitions.get(action)
        if transition is None:
            return Refusal.UNKNOWN_ACTION
        if role not in transition.roles:
            return Refusal.ROLE
        if status not in transition.sources:
            return Refusal.STATE
        return None

    def target_status(self, *, action: str, status: str) -> str:
        """The status after `action` (the same status for actions that do not move the record)."""
        return self.transitions[action].target or status

    def missing_fields(self, *, action: str, data: Mapping[str, Any]) -> list[str]:
        return [name for name in self.transitions[action].required if is_blank(data.get(name))]

    def allowed(self, *, status: str, role: str) -> list[str]:
        """The actions `role` may take from `status`, in table order (for the page's buttons)."""
        return [t.action for t in self.transitions.values() if role in t.roles and status in t.sources]


# --- refusals → errors -----------------------------------------------------------------------------

def unknown_action(action: str) -> NotFound:
    return NotFound(_("Unknown action: %(action)s") % {"action": action}, code="unknown_action")


def refusal_error(refusal: Refusal, *, action: str, action_label: str, status_label: str,
                  subject: str) -> ApplicationError:
    """The one mapping of a table's refusal to the shared error codes (404 / 403 / 409)."""
    if refusal is Refusal.UNKNOWN_ACTION:
        return unknown_action(action)
    if refusal is Refusal.ROLE:
        return NotAllowed(_("Your role may not take the action “%(action)s” on this %(subject)s.") % {
            "action": action_label, "subject": subject}, code="role_not_allowed")
    return Conflict(_("The action “%(action)s” is not possible while the %(subject)s is “%(status)s”.") % {
        "action": action_label, "subject": subject, "status": status_label}, code="invalid_transition")


def concurrent_change(subject: str) -> Conflict:
    """409 for a record that changed since the caller read it (or since `expected_version`)."""
    return Conflict(_("Someone else changed this %(subject)s; reload it and try again.") % {"subject": subject},
                    code="concurrent_change")


def required_fields_error(missing: list[str]) -> InvalidInput:
    """400 naming every missing field (the first one in the message)."""
    return InvalidInput(_("This field is required: %(field)s") % {"field": missing[0]}, code="required",
                        fields={name: [_("This field is required: %(field)s") % {"field": name}]
                                for name in missing})


def compare_and_swap(queryset: QuerySet[Any], pk: Any, version: int, *, subject: str,
                     **changes: Any) -> None:
    """UPDATE … SET version = version + 1, **changes WHERE pk = ? AND version = ?; 0 rows → 409.

    PostgreSQL re-checks the WHERE after waiting on a row lock, so of two writers that read the
    same version exactly one matches; SQLite serialises writers (IMMEDIATE transactions)."""
    updated = queryset.filter(pk=pk, version=version).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise concurrent_change(subject)


# --- the gate ----------------------------------------------------------------------------------------

class HasActorRole(Protocol):
    """What the gate needs of an actor (`kefu.org.selectors.Actor` satisfies it)."""

    @property
    def role(self) -> str: ...

    @property
    def user_id(self) -> int: ...


@dataclass(frozen=True)
class SystemActor:
    """The actor of periodic jobs (a nightly recompute): no user, the role `system`. A table lets
    it act by listing SYSTEM_ROLE; a flow's `can_see` decides whether it sees everything."""

    role: str = "system"
    user_id: int = 0


SYSTEM_ROLE = "system"
SYSTEM = SystemActor()


Record = TypeVar("Record", bound=models.Model)


@dataclass
class Change:
    """What `_apply` decided: field changes on the record, the event's data, text and visibility.

    `moves`: whether the action claims the record (bumps its version); False for a comment,
    which must not turn a colleague's open dialog into a 409. `after` runs in the transaction
    after the record is updated and before the event is written (rows of the action's own
    tables, e.g. a plan approval)."""

    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    internal: bool = False
    moves: bool = True
    after: Callable[[], object] | None = None


@dataclass(frozen=True)
class Workflow(Generic[Record]):
    """Everything the shared gate needs to know about one kind of record, passed as arguments.

    - `queryset()`: the rows with what `can_see`, `authorize` and `apply` read (select_related);
    - `can_see(actor, record)`: visibility (False → 404, never 403);
    - `authorize(actor, record, action, refusal)`: optional person checks beyond the role in the
      table (own work, owner side, scope…), raising NotAllowed/Conflict; runs after the role
      check and before the state check, and sees the table's refusal (None or STATE);
    - `apply(record, actor, action, data, now) -> Change`: the action's own validation;
    - `record_event(record, action=, actor_user=, now=, from_status=, to_status=, change=)`:
      writes the immutable event (and runs the app's hooks).
    """

    model: type[Record]
    table: Table
    subject: Any  # lazy translated noun: "work order", "QA check"…
    not_found: Any  # lazy translated message for 404
    action_label: Callable[[str], str]
    status_label: Callable[[str], str]
    queryset: Callable[[], QuerySet[Record]]
    can_see: Callable[[Any, Record], bool]
    apply: Callable[[Record, Any, str, dict[str, Any], datetime], Change]
    record_event: Callable[..., Any]
    authorize: Callable[[Any, Record, str, Refusal | None], None] | None = None

    def refuse(self, refusal: Refusal, *, action: str, status: str) -> ApplicationError:
        """The error for a refusal of `action` on a record in `status` (for `authorize`, too)."""
        return refusal_error(refusal, action=action, action_label=str(self.action_label(action)),
                             status_label=str(self.status_label(status)), subject=str(self.subject))


def lock_for_update(queryset: QuerySet[Record], pk: Any) -> Record | None:
    """The row, locked for the rest of the transaction (the first lock every gate takes).

    `of=("self",)`: only the record's own row — PostgreSQL refuses FOR UPDATE on the nullable
    side of the outer joins that select_related makes."""
    return queryset.select_for_update(of=("self",)).filter(pk=pk).first()


def run_transition(flow: Workflow[Record], *, obj: Record | int, action: str, actor: HasActorRole,
                   actor_user: Any, expected_version: int | None = None,
                   data: dict[str, Any] | None = None) -> Record:
    """Take `action` on the record: the one gate every workflow's state changes go through.

    In one transaction: lock the row → visibility (404) → the table's role (403) → the flow's
    own person checks → the table's state (409) → `expected_version` (409) → required fields
    (400) → `apply` (its own 400/403/409) → compare-and-swap the status and `version` → the
    event. Nothing is written unless everything passes. Returns the record as stored.

    A deadlock or serialization failure (kefu.core.db) reruns the whole transaction once when this
    is the outermost one; one left over reaches the edge as a 409 `lock_conflict`."""
    data = data or {}
    pk = obj.pk if isinstance(obj, models.Model) else obj
    return _run_transition_once(flow, pk=pk, action=action, actor=actor, actor_user=actor_user,
                                expected_version=expected_version, data=data)


@retry_on_deadlock
def _run_transition_once(flow: Workflow[Record], *, pk: Any, action: str, actor: HasActorRole,
                         actor_user: Any, expected_version: int | None, data: dict[str, Any]) -> Record:
    with transaction.atomic():
        current = lock_for_update(flow.queryset(), pk)
        if current is None or not flow.can_see(actor, current):
            raise NotFound(str(flow.not_found))
        status = current.status  # type: ignore[attr-defined]
        refusal = flow.table.check(action=action, status=status, role=actor.role)
        if refusal is Refusal.UNKNOWN_ACTION:
            raise unknown_action(action)
        if refusal is Refusal.ROLE:
            raise flow.refuse(refusal, action=action, status=status)
        if flow.authorize is not None:
            flow.authorize(actor, current, action, refusal)
        if refusal is Refusal.STATE:
            raise flow.refuse(refusal, action=action, status=status)
        if expected_version is not None and expected_version != current.version:  # type: ignore[attr-defined]
            raise concurrent_change(str(flow.subject))
        missing = flow.table.missing_fields(action=action, data=data)
        if missing:
            raise required_fields_error(missing)
        now = timezone.now()
        change = flow.apply(current, actor, action, data, now)
        to_status = flow.table.target_status(action=action, status=status)
        if change.moves:
            compare_and_swap(flow.model._default_manager.all(), current.pk,
                             current.version,  # type: ignore[attr-defined]
                             subject=str(flow.subject), status=to_status, updated_at=now, **change.changes)
        if change.after is not None:
            change.after()
        flow.record_event(current, action=action, actor_user=actor_user, now=now, from_status=status,
                          to_status=to_status, change=change)
    current.refresh_from_db()
    return current


def choices_label(choices: type[models.TextChoices]) -> Callable[[str], str]:
    """`label(value)` for a TextChoices class, falling back to the raw value."""
    def label(value: str) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    return label

