"""manage.py backup_check on PostgreSQL: a dump restores into a scratch database whose key tables
match the live database at the dump's snapshot; a damaged dump or a manifest that disagrees fails."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kefu.core.management.commands.backup_check import KEY_TABLES, _conninfo, connect
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import advance, make_work_order

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump / pg_restore: PostgreSQL only")


def _databases() -> set[str]:
    with connect({**_conninfo(), "dbname": "postgres"}) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def _orders(cast):
    orders = [make_work_order(actor=cast["agent"], title=f"漏水{i}") for i in range(3)]
    advance(orders[0], cast["agent"], "accept")
    return orders


def test_a_dump_restores_with_the_same_rows_and_damage_is_found(cast, tmp_path):
    # One test: each dump or restore of the test database costs 5–10 s on a busy machine.
    _orders(cast)
    out = StringIO()
    dump = tmp_path / "kefu.dump"
    call_command("backup_check", "--keep-dump", str(dump), stdout=out)
    text = out.getvalue()
    assert "backup check OK" in text
    manifest_path = tmp_path / "kefu.dump.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["tables"]["workorders_workorder"]["rows"] == WorkOrder.objects.count() == 3
    assert manifest["tables"]["workorders_workorderevent"]["rows"] == WorkOrderEvent.objects.count()
    assert set(manifest["tables"]) == set(KEY_TABLES)
    for table in KEY_TABLES:
        assert f"{table} " in text and "DIFFERENT" not in text
    scratch = f"{connection.settings_dict['NAME'][:45]}_restore_check"
    assert scratch not in _databases()  # dropped afterwards

    # The kept dump checks again later against its manifest: the figures are the dump's snapshot,
    # so an order written since is in neither.
    make_work_order(actor=cast["agent"], title="备份之后")
    out = StringIO()
    call_command("backup_check", "--dump", str(dump), stdout=out)
    assert "backup check OK" in out.getvalue()
    assert "workorders_workorder                              3 rows  ok" in out.getvalue()

    # A manifest that disagrees with the dump (a row lost) fails, naming the table.
    manifest["tables"]["workorders_workorder"]["rows"] = 4
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="workorders_workorder: expected 4 rows"):
        call_command("backup_check", "--dump", str(dump), stdout=StringIO())
    assert scratch not in _databases()

    # A dump cut off half-way (a full disk) does not restore.
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="pg_restore .* failed"):
        call_command("backup_check", "--dump", str(dump), stdout=StringIO())
