"""Lock conflicts are recognised and their transaction rerun once, only when it is the outermost."""

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from kefu.core.db import is_lock_conflict, retry_on_deadlock


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _pg(sqlstate):
    exc = OperationalError(f"pg {sqlstate}")
    exc.__cause__ = _PgError(sqlstate)
    return exc


@pytest.mark.parametrize(("exc", "expected"), [
    (_pg("40P01"), True),  # deadlock_detected
    (_pg("40001"), True),  # serialization_failure
    (_pg("55P03"), True),  # lock_not_available
    (_pg("23505"), False),  # unique_violation
    (OperationalError("database is locked"), True),
    (OperationalError("database table is locked: kefu_x"), True),
    (OperationalError("no such table: x"), False),
    (IntegrityError("UNIQUE constraint failed"), False),
    (ValueError("database is locked"), False),
], ids=["deadlock", "serialization", "lock_timeout", "unique", "sqlite_busy", "sqlite_table", "sqlite_other",
        "integrity", "not_a_db_error"])
def test_is_lock_conflict(exc, expected):
    assert is_lock_conflict(exc) is expected


def _flaky(failures, exc_factory=lambda: _pg("40P01")):
    calls = []

    @retry_on_deadlock
    def run(value):
        calls.append(value)
        if len(calls) <= failures:
            raise exc_factory()
        return value * 2

    return run, calls


@pytest.mark.django_db(transaction=True)
def test_a_conflict_is_retried_once():
    run, calls = _flaky(1)
    assert run(21) == 42
    assert calls == [21, 21]


@pytest.mark.django_db(transaction=True)
def test_a_second_conflict_propagates():
    run, calls = _flaky(2)
    with pytest.raises(DatabaseError) as info:
        run(1)
    assert is_lock_conflict(info.value)
    assert calls == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_other_errors_are_not_retried():
    run, calls = _flaky(1, lambda: IntegrityError("duplicate"))
    with pytest.raises(IntegrityError):
        run(1)
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_no_retry_inside_an_outer_transaction():
    run, calls = _flaky(1)
    with pytest.raises(OperationalError), transaction.atomic():
        run(1)
    assert calls == [1]
