"""Human-readable, unique numbers (`GD20261122-0001`) issued inside the caller's transaction."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from kefu.core.models import NumberSequence


def next_value(*, key: str) -> int:
    """Increment and return the counter `key`. Must run inside a transaction.

    The UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite, IMMEDIATE
    transactions), so the read that follows sees our own increment and no one else's until
    we commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must be called inside transaction.atomic()")
    updated = NumberSequence.objects.filter(key=key).update(last_value=F("last_value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(key=key, last_value=1)
            return 1
        except IntegrityError:
            # Another transaction created the row first; its row lock now serialises us.
            NumberSequence.objects.filter(key=key).update(last_value=F("last_value") + 1)
    return NumberSequence.objects.values_list("last_value", flat=True).get(key=key)


def next_number(*, prefix: str, day: date) -> str:
    """`<prefix><YYYYMMDD>-<NNNN>`; the counter restarts each day and widens past 9999."""
    stamp = day.strftime("%Y%m%d")
    value = next_value(key=f"{prefix}{stamp}")
    return f"{prefix}{stamp}-{value:04d}"
