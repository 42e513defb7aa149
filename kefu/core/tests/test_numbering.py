"""Day-numbered, gap-free work-order numbers issued inside the caller's transaction."""

from datetime import date

import pytest
from django.db import transaction

from kefu.core.models import NumberSequence
from kefu.core.numbering import next_number, next_value


def test_next_value_outside_a_transaction_raises(django_db_blocker):
    # no django_db mark: the connection is in autocommit mode, as in a script without atomic()
    with django_db_blocker.unblock():
        assert not transaction.get_connection().in_atomic_block
        with pytest.raises(RuntimeError, match="inside transaction.atomic"):
            next_value(key="X")
        assert not NumberSequence.objects.filter(key="X").exists()


@pytest.mark.django_db
def test_next_value_counts_per_key():
    with transaction.atomic():
        assert [next_value(key="A") for _ in range(3)] == [1, 2, 3]
        assert next_value(key="B") == 1
    assert dict(NumberSequence.objects.values_list("key", "last_value")) == {"A": 3, "B": 1}


@pytest.mark.django_db
def test_rolled_back_value_is_given_back():
    with transaction.atomic():
        next_value(key="A")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert next_value(key="A") == 2
        1 / 0  # noqa: B018
    with transaction.atomic():
        assert next_value(key="A") == 2


@pytest.mark.django_db
def test_next_number_format_and_daily_restart():
    with transaction.atomic():
        assert next_number(prefix="GD", day=date(2026, 11, 22)) == "GD20261122-0001"
        assert next_number(prefix="GD", day=date(2026, 11, 22)) == "GD20261122-0002"
        assert next_number(prefix="GD", day=date(2026, 11, 23)) == "GD20261123-0001"
        assert next_number(prefix="WO", day=date(2026, 11, 23)) == "WO20261123-0001"


@pytest.mark.django_db
def test_number_widens_past_9999():
    NumberSequence.objects.create(key="GD20261122", last_value=9998)
    with transaction.atomic():
        assert next_number(prefix="GD", day=date(2026, 11, 22)) == "GD20261122-9999"
        assert next_number(prefix="GD", day=date(2026, 11, 22)) == "GD20261122-10000"
