"""The staleness bound against a real streaming replica: a throw-away primary and hot standby
(kefu/core/tests/pgcluster.py) — the replica is used while it keeps up, not once its replay falls
behind by more than KEFU_REPLICA_MAX_LAG_SECONDS, and again when it has caught up."""

import time

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connections

from kefu.core import dbrouter
from kefu.core.dbrouter import read_alias, replica_lag
from kefu.core.tests.pgcluster import pg_bindir, primary_and_replica, wait_until

_ON_POSTGRES = "replica" in django_settings.DATABASES  # the test settings define it on PostgreSQL only

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _ON_POSTGRES, reason="a read replica is a PostgreSQL deployment"),
    pytest.mark.skipif(pg_bindir() is None, reason="PostgreSQL server programs not installed"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"] if _ON_POSTGRES else ["default"]),
]


@pytest.fixture
def pair():
    with primary_and_replica() as (primary, replica):
        yield primary, replica


@pytest.fixture
def replica_alias_on(pair, settings):
    """Point the "replica" alias at the standby for the test, then back at the test database."""
    _, standby = pair
    settings.KEFU_READ_REPLICA = "replica"
    settings.KEFU_REPLICA_MAX_LAG_SECONDS = 1
    settings.KEFU_REPLICA_CHECK_SECONDS = 0  # probe on every decision
    settings.KEFU_REPLICA_RETRY_SECONDS = 0
    conn = connections["replica"]
    saved = dict(conn.settings_dict)
    conn.close()
    conn.settings_dict.update(HOST="127.0.0.1", PORT=str(standby.port), NAME="postgres", USER="postgres",
                              PASSWORD="")
    dbrouter._probe.reset()
    yield
    conn.close()
    conn.settings_dict.clear()
    conn.settings_dict.update(saved)
    dbrouter._probe.reset()


def _sql(url, sql):
    with psycopg.connect(url, autocommit=True) as c:
        cursor = c.execute(sql)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def test_reports_leave_a_replica_that_falls_behind(pair, replica_alias_on):
    primary, standby = pair
    assert _sql(standby.url, "select pg_is_in_recovery()") is True
    _sql(primary.url, "create table beat (id serial primary key, at timestamptz default now())")
    _sql(primary.url, "insert into beat default values")
    assert wait_until(lambda: _sql(standby.url, "select count(*) from pg_class where relname = 'beat'") == 1)
    assert wait_until(lambda: replica_lag("replica") == 0.0)
    assert read_alias() == "replica"

    # Replay stops; the primary goes on committing. Once the replica is over 1 s behind, reports
    # read the primary.
    _sql(standby.url, "select pg_wal_replay_pause()")
    assert wait_until(lambda: _sql(standby.url, "select pg_get_wal_replay_pause_state()") == "paused")
    _sql(primary.url, "insert into beat default values")
    time.sleep(1.5)
    _sql(primary.url, "insert into beat default values")
    lag = replica_lag("replica")
    assert lag is not None and lag > 1.0
    assert read_alias() == "default"
    assert _sql(standby.url, "select count(*) from beat") == 1  # it really is behind

    # Replay resumes: caught up, the replica serves reports again.
    _sql(standby.url, "select pg_wal_replay_resume()")
    assert wait_until(lambda: _sql(standby.url, "select count(*) from beat") == 3)
    assert wait_until(lambda: read_alias() == "replica")
    assert replica_lag("replica") == 0.0


def test_a_stopped_replica_is_not_used(pair, replica_alias_on):
    _, standby = pair
    assert wait_until(lambda: read_alias() == "replica")
    standby.stop()
    connections["replica"].close()
    assert replica_lag("replica") is None
    assert read_alias() == "default"
