"""Human-readable, unique numbers (`GD20261122-0001`) issued inside the caller's transaction."""

from datetime import date

from django.db import IntegrityError, connection, transaction

from kefu.core.models import NumberSequence


def _increment(key: str) -> int | None:
    """Add one to the counter `key` and return its new value in one statement (UPDATE …
    RETURNING: PostgreSQL, and SQLite since 3.35); None when there is no such counter yet."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "last_value" = "last_value" + 1 WHERE "key" = %s RETURNING "last_value"',
                       [key])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def next_value(*, key: str) -> int:
    """Increment and return the counter `key`. Must run inside a transaction.

    The UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite, IMMEDIATE
    transactions) and returns the value it wrote, so we get our own increment and no one else's;
    the lock is held until we commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must be called inside transaction.atomic()")
    value = _increment(key)
    if value is not None:
        return value
    try:
        with transaction.atomic():
            NumberSequence.objects.create(key=key, last_value=1)
        return 1
    except IntegrityError:
        # Another transaction created the row first; its row lock now serialises us.
        value = _increment(key)
        if value is None:  # pragma: no cover - the row exists: the insert just failed on it
            raise
        return value


def next_number(*, prefix: str, day: date) -> str:
    """`<prefix><YYYYMMDD>-<NNNN>`; the counter restarts each day and widens past 9999."""
    stamp = day.strftime("%Y%m%d")
    value = next_value(key=f"{prefix}{stamp}")
    return f"{prefix}{stamp}-{value:04d}"
