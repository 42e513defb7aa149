"""Shared test cast (Healthchecks style): one small organisation with staff in every role.

    group → company (CO) → customer service dept (CS) → front team (FRONT), steward team (STW)
                         → engineering dept (ENG) → repair team (MEP), vendor team (VEND)
          → other company (OTHER) → its team (OTEAM)
"""

import contextlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import TransactionTestCase
from rest_framework.test import APIClient

from kefu.org.tests.factories import make_department, make_staff

ROOT = Path(__file__).resolve().parent


def stale_catalogues(root: Path = ROOT) -> list[Path]:
    """The .po catalogues whose compiled .mo is missing or older than them (ADR 0006)."""
    catalogues = [*root.glob("locale/*/LC_MESSAGES/*.po"), *root.glob("kefu/*/locale/*/LC_MESSAGES/*.po")]
    return [po for po in catalogues
            if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]


def pytest_configure(config):
    """The .mo files are built, not committed: a plain `pytest` in a fresh clone (or after a .po
    changed) compiles them first with Django's compilemessages, as `make messages` does, so tests
    of Chinese pages do not fail for want of a catalogue. Once, in the controlling process (xdist
    workers start after it)."""
    if hasattr(config, "workerinput") or not stale_catalogues():
        return
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        with contextlib.chdir(ROOT):  # compilemessages looks for catalogues below the working directory
            call_command("compilemessages", ignore_patterns=[".venv", "node_modules", "var", "static"], verbosity=0)
    except CommandError as error:  # no msgfmt (GNU gettext)
        raise pytest.UsageError(f"Compiling the translation catalogues failed ({error}): run `make messages`, "
                                "which installs gettext and compiles them.") from error


# Data migrations whose rows the tests rely on. With --reuse-db a database left empty by an
# interrupted run (or by a flush) would start without them; re-applying the seeds (all
# idempotent) keeps the reference data there.
SEED_MIGRATIONS = [
    "kefu.org.migrations.0002_seed_roles",
    "kefu.customers.migrations.0003_seed_document_types",
    "kefu.workorders.migrations.0002_seed_categories",
    "kefu.sla.migrations.0002_seed_holidays_and_calendars",
    "kefu.sla.migrations.0004_seed_policies",
    "kefu.sla.migrations.0008_seed_callback_targets",
    "kefu.callbacks.migrations.0002_seed_rules",
    "kefu.surveys.migrations.0002_seed_service_items",
    "kefu.quality.migrations.0002_seed_form",
    "kefu.kpi.migrations.0002_seed_scorecards",
]


def ensure_seed_data():
    from kefu.org.models import Role

    if Role.objects.exists():
        return
    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(global_apps, None)
    from kefu.org.permissions import grant_administrator_permissions

    grant_administrator_permissions()


COPY_PREFIX = "zz_copy_"  # plain tables the test run keeps its copies in (short: PostgreSQL stops at 63)


def _django_tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _row_counts(connection, tables) -> dict[str, int]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


class RowCopies:
    """Rows of some tables copied into plain tables of the test database, to be inserted again.

    `exclude`: earlier copies whose rows are left out (`EXCEPT`), so a copy holds only what was
    added since them."""

    def __init__(self, connection, name: str, tables, exclude=()):
        self.connection = connection
        self.copies = {}
        qn = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for i, table in enumerate(tables):
                select = f"SELECT * FROM {qn(table)}"
                for earlier in exclude:
                    if table in earlier.copies:
                        select += f" EXCEPT SELECT * FROM {qn(earlier.copies[table])}"
                copy = f"{COPY_PREFIX}{name}_{i}"
                cursor.execute(f"CREATE TABLE {qn(copy)} AS {select}")
                self.copies[table] = copy

    def insert(self):
        # One transaction (a savepoint inside a test's): foreign keys are DEFERRABLE INITIALLY
        # DEFERRED on both backends, so the order of the tables does not matter.
        qn = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for table, copy in self.copies.items():
                cursor.execute(f"INSERT INTO {qn(table)} SELECT * FROM {qn(copy)}")


class Baseline(RowCopies):
    """The rows every test starts from (seeds, content types, permissions), copied aside once.

    A transactional test (transaction=True, live_server) commits, so Django undoes it with a
    flush: TRUNCATE of every table (1–4 s on PostgreSQL while other work loads the disk), the
    post_migrate handlers, then the seeds again (~1 s on PostgreSQL). Deleting the rows and copying
    the reference rows back in one transaction does the same in ~0.1 s, and keeps their ids.
    """

    def __init__(self, connection):
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:  # copies left by an earlier run (--reuse-db)
            for name in connection.introspection.table_names(cursor):
                if name.startswith(COPY_PREFIX):
                    cursor.execute(f"DROP TABLE {qn(name)}")
        self.tables = _django_tables(connection)
        counts = _row_counts(connection, self.tables)
        super().__init__(connection, "base", [t for t in self.tables if counts[t]])

    def restore(self):
        qn = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                for table in self.tables:
                    cursor.execute(f"DELETE FROM {qn(table)}")
            self.insert()


_BASELINES: dict[str, Baseline] = {}


def _restore_baseline_instead_of_flush(flush):
    def _fixture_teardown(self):
        if self.available_apps is not None or self.reset_sequences:
            return flush(self)  # Django's own semantics for the cases it treats specially
        for alias in self._databases_names(include_mirrors=False):
            _BASELINES[alias].restore()
        return None

    return _fixture_teardown


def _empty_if_left_over():
    """A run cut off inside a transactional test leaves its rows in a reused database, and the
    baseline below would keep them for every later test: start such a database from a flush.
    The seeds create no department, so one found here is a test's."""
    from django.core.management import call_command

    from kefu.org.models import Department

    if Department.objects.exists():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _empty_if_left_over()
        ensure_seed_data()
        # Mirrors (the "replica" alias) are the same database: one baseline, the primary's.
        _BASELINES.update({alias: Baseline(connections[alias]) for alias in connections
                           if not connections[alias].settings_dict["TEST"].get("MIRROR")})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown",
                      _restore_baseline_instead_of_flush(TransactionTestCase._fixture_teardown))
        yield
    _BASELINES.clear()


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    # Each process keeps the holiday table for a while; tests rewrite it freely.
    from kefu.sla.selectors import holidays_changed

    holidays_changed()
    from kefu.routing.selectors import rules_changed

    rules_changed()  # routing keeps the rules for a while, too
    yield


@pytest.fixture(autouse=True)
def _seed_data_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        ensure_seed_data()


# key: (kind, parent key, code, name)
ORG = {
    "group": ("group", None, "G", "集团"),
    "company": ("company", "group", "CO", "项目"),
    "cs": ("department", "company", "CS", "客服中心"),
    "front": ("team", "cs", "FRONT", "前台组"),
    "stw": ("team", "cs", "STW", "管家组"),
    "eng": ("department", "company", "ENG", "工程部"),
    "mep": ("team", "eng", "MEP", "水电组"),
    "vend": ("team", "eng", "VEND", "外包电梯"),
    "other": ("company", "group", "OTHER", "其他项目"),
    "oteam": ("team", "other", "OTEAM", "其他组"),
}
# key: (role, department key, username)
CAST = {
    "agent": ("agent", "front", "agent"),
    "steward": ("steward", "stw", "steward"),
    "supervisor": ("supervisor", "cs", "supervisor"),
    "manager": ("manager", "company", "manager"),
    "director": ("director", "group", "director"),
    "technician": ("technician", "mep", "technician"),
    "qa": ("qa", "cs", "qa"),
    "clerk": ("clerk", "cs", "clerk"),
    "vendor": ("vendor", "vend", "vendor"),
    "administrator": ("administrator", "group", "administrator"),
    "other_steward": ("steward", "oteam", "other_steward"),
    "other_technician": ("technician", "oteam", "other_tech"),
}


def _build_org() -> dict:
    org = {}
    for key, (kind, parent, code, name) in ORG.items():
        org[key] = make_department(kind=kind, parent=org[parent] if parent else None, code=code, name=name)
    return org


def _build_cast(org) -> None:
    for role, department, username in CAST.values():
        make_staff(role=role, department=org[department], username=username)


def _added_rows(connection, name, tables, before, exclude) -> RowCopies:
    after = _row_counts(connection, tables)
    copies = RowCopies(connection, name, [t for t in tables if after[t] != before[t]], exclude=exclude)
    added = _row_counts(connection, copies.copies.values())
    for table, copy in copies.copies.items():
        if added[copy] != after[table] - before[table]:  # only inserts can be replayed
            raise RuntimeError(f"building {name} changed or deleted rows of {table}")
    return copies


@pytest.fixture(scope="session")
def _org_and_cast_rows(django_db_setup, django_db_blocker):
    """`org` and `cast` are built once per session through the real services and copied aside;
    each test that asks for them gets the same rows inserted into its transaction (a few
    INSERT … SELECT instead of ~130 service queries: ~50 ms a test on SQLite, ~80 ms on PostgreSQL).

    The ids are the same in every test; nothing in the app caches by id (the holiday cache is
    reset per test), and the org tables have no timestamps (only auth_user.date_joined, unread).
    """
    with django_db_blocker.unblock():
        connection = connections[DEFAULT_DB_ALIAS]
        baseline = _BASELINES[connection.alias]
        tables = _django_tables(connection)
        try:
            before = _row_counts(connection, tables)
            org = _build_org()
            org_rows = _added_rows(connection, "org", tables, before, [baseline])
            before = _row_counts(connection, tables)
            _build_cast(org)
            cast_rows = _added_rows(connection, "cast", tables, before, [baseline, org_rows])
        finally:
            baseline.restore()
    return org_rows, cast_rows


@pytest.fixture
def org(db, _org_and_cast_rows):
    from kefu.org.models import Department

    _org_and_cast_rows[0].insert()
    by_code = Department.objects.in_bulk([code for _k, _p, code, _n in ORG.values()], field_name="code")
    return {key: by_code[code] for key, (_k, _p, code, _n) in ORG.items()}


@pytest.fixture
def cast(org, _org_and_cast_rows):
    """Staff users keyed by role (plus outsiders in another company)."""
    from django.contrib.auth import get_user_model

    _org_and_cast_rows[1].insert()
    users = get_user_model().objects.select_related("staff__role").in_bulk(
        [username for _r, _d, username in CAST.values()], field_name="username")
    departments = {d.pk: d for d in org.values()}
    for user in users.values():
        user.staff.department = departments[user.staff.department_id]  # the `org` instances, as before
    return {key: users[username] for key, (_r, _d, username) in CAST.items()}


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def api():
    """An API client factory: api(user) → client authenticated as that user (or anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make
