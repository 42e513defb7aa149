"""Read-replica routing: which database a read goes to (docs/deployment.md, "Read replica").

The rule, in one place:
- writes, migrations and every read go to the primary (`default`);
- except reads made inside `replica_reads()` — only the report selectors and exports that name it —
  which go to the replica (`settings.KEFU_READ_REPLICA`, set by `KEFU_REPLICA_DATABASE_URL`) while
  its staleness is within `KEFU_REPLICA_MAX_LAG_SECONDS`;
- a replica that lags more, cannot be reached or cannot tell its lag is not used: those reads go
  to the primary too. A report is never refused because of the replica, only slower.

Staleness is measured on the replica (`LAG_SQL`) at most every `KEFU_REPLICA_CHECK_SECONDS` per
process, and the measurement ages with the clock: a replica measured `lag` seconds behind
`age` seconds ago is used only while `lag + age` ≤ the bound, because its replay may have stopped
right after the measurement. So the bound holds between two probes as well.

One `replica_reads()` block reads from one database: the choice is made when the outermost block
is entered and nested blocks keep it, so the figures of one report come from one source.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

logger = logging.getLogger(__name__)

# The alias chosen by the outermost replica_reads() block of this thread / task; None outside.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("kefu_read_alias", default=None)

# Seconds the replica's data is behind the primary, measured on the replica:
# - not in recovery: it is a primary (a promoted replica, or a test mirror) → 0;
# - streaming, and everything received is replayed → 0 (it is as fresh as the stream);
# - otherwise: the age of the last transaction it replayed (NULL when it replayed none since start,
#   which counts as unknown → not used). On a quiet primary this age grows although nothing is
#   missing, which only sends reads to the primary — the safe direction.
# pg_stat_wal_receiver shows its status only to roles with pg_read_all_stats (docs/deployment.md).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0.0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0.0
    ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float
END
"""


class _Probe:
    """The last lag measurement of each replica alias in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.measured: dict[str, tuple[float, float | None]] = {}  # alias → (monotonic time, lag)

    def reset(self) -> None:
        with self.lock:
            self.measured.clear()


_probe = _Probe()


def replica_lag(alias: str) -> float | None:
    """Seconds `alias` is behind the primary, or None when it cannot be reached or cannot tell."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0  # only PostgreSQL replicates; any other database named here is the primary itself
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("read replica %s unreachable, reports read from the primary: %s", alias, exc)
        connection.close()
        return None
    return None if row is None or row[0] is None else max(0.0, float(row[0]))


def configured_replica() -> str | None:
    """The replica's alias when one is configured (KEFU_REPLICA_DATABASE_URL), else None."""
    alias = getattr(settings, "KEFU_READ_REPLICA", None)
    return alias if alias and alias in settings.DATABASES else None


def read_alias() -> str:
    """The database for a replica-eligible read now: the replica if fresh enough, else `default`."""
    alias = configured_replica()
    if alias is None:
        return DEFAULT_DB_ALIAS
    bound = float(settings.KEFU_REPLICA_MAX_LAG_SECONDS)
    now = time.monotonic()
    measured_at, lag = _probe.measured.get(alias, (None, None))
    # A failed probe is retried after KEFU_REPLICA_RETRY_SECONDS, so a replica that is down costs
    # one connect timeout per process per retry interval, not one per report.
    interval = settings.KEFU_REPLICA_CHECK_SECONDS if lag is not None else settings.KEFU_REPLICA_RETRY_SECONDS
    if measured_at is None or now - measured_at >= interval:
        lag = replica_lag(alias)
        measured_at = time.monotonic()
        with _probe.lock:
            _probe.measured[alias] = (measured_at, lag)
    if lag is None or lag + (time.monotonic() - measured_at) > bound:
        return DEFAULT_DB_ALIAS
    return alias


@contextmanager
def replica_reads() -> Iterator[str]:
    """Reads inside go to the replica when it is configured and fresh enough (see the module doc).

    Yields the alias chosen. Only for read-only work whose readers accept data up to the bound old
    (reports, exports): never around a service, which must read what it is about to change."""
    current = _read_alias.get()
    if current is not None:
        yield current
        return
    token = _read_alias.set(read_alias())
    try:
        yield _read_alias.get() or DEFAULT_DB_ALIAS
    finally:
        _read_alias.reset(token)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: the routing rule of the module doc."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # Outside replica_reads() the primary, even for an object that was read from the replica
        # (whose relations would otherwise follow it there).
        return _read_alias.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read there may refer to one read here.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # The replica gets its schema by replication; a migration run against it would fail.
        return db == DEFAULT_DB_ALIAS
