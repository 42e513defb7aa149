"""Lock conflicts the database reports, and the one retry every writer may take for them.

Writers take their locks in one order (the record's row first, then the rows that hang off it:
clocks, callbacks, facts — ADR 0002, `kefu.core.workflow`), so two writers on one record queue
instead of deadlocking. What can still happen — PostgreSQL picking a deadlock victim among
writers of *different* records that share a row, a serialization failure, a lock timeout, or
SQLite's "database is locked" after its busy timeout — is a *lock conflict*:

- `retry_on_deadlock` runs a whole transaction again once (a conflict is transient: the other
  writer has committed or rolled back by then). Only an outermost transaction can be retried;
  inside someone else's `atomic` block the conflict is re-raised for the outer level to handle.
- a conflict left over is answered 409 `lock_conflict` by `kefu.core.middleware.ErrorMiddleware`
  (the shape of ADR 0002's other conflicts), never a 500.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar, overload

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs: deadlock_detected, serialization_failure, lock_not_available.
LOCK_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
_SQLITE_LOCKED = ("database is locked", "database table is locked")

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_conflict(exc: BaseException) -> bool:
    """True for a deadlock, serialization failure, lock timeout or SQLite's busy lock."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in LOCK_CONFLICT_SQLSTATES:
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _SQLITE_LOCKED)


@overload
def retry_on_deadlock(func: Callable[P, R], *, attempts: int = ..., using: str = ...) -> Callable[P, R]: ...


@overload
def retry_on_deadlock(func: None = ..., *, attempts: int = ...,
                      using: str = ...) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def retry_on_deadlock(func: Callable[P, R] | None = None, *, attempts: int = 2,
                      using: str = DEFAULT_DB_ALIAS) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function that runs one whole transaction: on a lock conflict, run it again.

    `attempts` counts the first run (2: retried once). Retries only when the call is not inside
    an outer transaction (then nothing of the failed attempt survives); otherwise, or when the
    last attempt fails too, the conflict propagates (→ 409 at the edge). A few milliseconds of
    jitter between attempts keep two victims from meeting again at once.
    """
    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            outermost = not connections[using].in_atomic_block
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except DatabaseError as exc:
                    if not (outermost and attempt < attempts and is_lock_conflict(exc)):
                        raise
                    logger.warning("lock conflict in %s (attempt %d of %d), retrying: %s",
                                   fn.__qualname__, attempt, attempts, exc)
                    time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 (jitter, not a secret)
            raise AssertionError("unreachable")  # pragma: no cover
        return wrapper

    return decorate(func) if func is not None else decorate
