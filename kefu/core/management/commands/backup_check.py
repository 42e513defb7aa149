"""Prove that a PostgreSQL backup restores: dump, restore into a scratch database, compare.

    manage.py backup_check                              dump now, restore, compare, drop the scratch DB
    manage.py backup_check --keep-dump /backups/kefu-2026-12-07.dump
                                                        the same, and keep the dump (+ .manifest.json)
    manage.py backup_check --dump /backups/kefu-2026-12-07.dump
                                                        restore an existing dump; compare with its manifest

The dump is taken at an exported snapshot (`pg_export_snapshot()` + `pg_dump --snapshot`) while the
same REPEATABLE READ transaction counts and checksums the key tables, so the expected figures are
exactly the dump's even while the site keeps writing. The restored copy must match them table by
table: row count and an order-independent checksum of every row's text (sum of the first 60 bits
of md5(row)). Exit status 1 (CommandError) on any difference or failed restore. See
docs/deployment.md, "Backups".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg import sql
from psycopg.conninfo import make_conninfo

# The tables a center cannot lose: orders and their history, clocks and escalations, customers,
# callbacks and ratings, the outbox, staff and logins, and the migration state.
KEY_TABLES = [
    "workorders_workorder", "workorders_workorderevent", "workorders_attachment",
    "sla_slaclock", "sla_escalation",
    "customers_customer", "customers_customerphone", "customers_asset",
    "callbacks_callback", "callbacks_callbackattempt", "callbacks_ratinglink",
    "surveys_response", "notifications_outboundmessage", "reports_orderfact",
    "org_department", "org_staff", "auth_user", "authtoken_token", "core_numbersequence",
    "django_migrations",
]


def _conninfo(dbname: str | None = None) -> dict[str, str]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("backup_check needs PostgreSQL (SQLite: see docs/deployment.md, 'Backups').")
    info = {"dbname": dbname or db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None, "port": str(db["PORT"]) if db.get("PORT") else None}
    for key, value in (db.get("OPTIONS") or {}).items():
        if isinstance(value, str | int) and key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
            info[key] = str(value)
    return {k: v for k, v in info.items() if v is not None}


def connect(info: dict[str, str], *, autocommit: bool = False) -> psycopg.Connection[Any]:
    return psycopg.connect(make_conninfo("", **info), autocommit=autocommit)


def _libpq_env(info: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
             "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
             "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT"}
    env.update({names[k]: v for k, v in info.items() if k in names})
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client).")
    return found


def table_figures(cursor: psycopg.Cursor[Any], tables: list[str]) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent checksum per table (absent tables are left out)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    present = {row[0] for row in cursor.fetchall()}
    figures = {}
    for table in tables:
        if table not in present:
            continue
        ident = sql.Identifier(table)
        cursor.execute(sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint::numeric), 0)::text "
            "FROM {} AS t").format(ident))
        row = cursor.fetchone()
        assert row is not None  # an aggregate: one row, always
        count, checksum = row
        figures[table] = {"rows": int(count), "checksum": checksum}
    return figures


class Command(BaseCommand):
    help = "Dump the database (or take a given dump), restore it into a scratch database and compare key tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dump", help="check this existing pg_dump -Fc file (compared with its .manifest.json)")
        parser.add_argument("--keep-dump", metavar="PATH", help="write the new dump here (with PATH.manifest.json)")
        parser.add_argument("--scratch-db", help="name of the scratch database (default: <database>_restore_check)")
        parser.add_argument("--tables", help="comma-separated tables to compare (default: the key tables)")
        parser.add_argument("--all-tables", action="store_true", help="compare every table of the database")
        parser.add_argument("--keep-scratch", action="store_true", help="leave the restored database in place")
        parser.add_argument("--jobs", type=int, default=2, help="parallel pg_restore jobs (default 2)")

    def handle(self, *args: Any, **options: Any) -> None:
        info = _conninfo()
        scratch = options["scratch_db"] or f"{info['dbname'][:45]}_restore_check"
        if scratch == info["dbname"]:
            raise CommandError("--scratch-db must not be the live database.")
        started = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="kefu-backup-check-"))
        try:
            if options["dump"]:
                dump = Path(options["dump"])
                if not dump.is_file():
                    raise CommandError(f"{dump}: no such file")
                manifest_path = Path(f"{dump}.manifest.json")
                expected = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
                tables = self._tables(options, expected)
            else:
                dump = Path(options["keep_dump"]) if options["keep_dump"] else workdir / "kefu.dump"
                expected = self._dump_at_snapshot(info, dump, options)
                tables = list(expected["tables"])
                if options["keep_dump"]:
                    Path(f"{dump}.manifest.json").write_text(json.dumps(expected, indent=2) + "\n")
            dumped = time.monotonic()
            self._restore(info, scratch, dump, options["jobs"])
            restored = time.monotonic()
            with connect(_conninfo(scratch)) as conn, conn.cursor() as cursor:
                actual = table_figures(cursor, tables)
            self._report(expected, actual, tables, dump=dump, timings=(dumped - started, restored - dumped,
                                                                       time.monotonic() - restored))
        finally:
            if not options["keep_scratch"]:
                self._drop(info, scratch)
            shutil.rmtree(workdir, ignore_errors=True)

    def _tables(self, options: dict[str, Any], expected: dict[str, Any] | None) -> list[str]:
        if options["tables"]:
            return [t.strip() for t in options["tables"].split(",") if t.strip()]
        if expected:
            return list(expected["tables"])
        return KEY_TABLES

    def _dump_at_snapshot(self, info: dict[str, str], dump: Path, options: dict[str, Any]) -> dict[str, Any]:
        """pg_dump at an exported snapshot; the figures of the same snapshot, from the live database."""
        with connect(info) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), now()")
                row = cursor.fetchone()
                assert row is not None  # one row, always
                snapshot, version, taken_at = row
                if options["all_tables"]:
                    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                    tables = [row[0] for row in cursor.fetchall()]
                else:
                    tables = self._tables(options, None)
                # pg_dump runs while this transaction (and so its snapshot) stays open.
                result = subprocess.run([_program("pg_dump"), "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
                                         "-f", str(dump)], env=_libpq_env(info), capture_output=True, text=True)
                if result.returncode != 0:
                    raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
                figures = table_figures(cursor, tables)
        return {"database": info["dbname"], "taken_at": taken_at.isoformat(), "server_version": version,
                "tables": figures}

    def _restore(self, info: dict[str, str], scratch: str, dump: Path, jobs: int) -> None:
        self._drop(info, scratch)
        with connect({**info, "dbname": "postgres"}, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(scratch)))
        result = subprocess.run([_program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error",
                                 f"--jobs={max(1, jobs)}", "-d", scratch, str(dump)],
                                env=_libpq_env({**info, "dbname": scratch}), capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore of {dump} failed: {result.stderr.strip()[:2000]}")

    def _drop(self, info: dict[str, str], scratch: str) -> None:
        with connect({**info, "dbname": "postgres"}, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))

    def _report(self, expected: dict[str, Any] | None, actual: dict[str, dict[str, Any]], tables: list[str], *,
                dump: Path, timings: tuple[float, float, float]) -> None:
        write = self.stdout.write
        write(f"backup check of {dump} ({dump.stat().st_size:,} bytes)")
        if expected:
            write(f"  dump taken {expected['taken_at']} from {expected['database']} (PostgreSQL {expected['server_version']})")
        write(f"  dump {timings[0]:.1f} s, restore {timings[1]:.1f} s, compare {timings[2]:.1f} s")
        problems = []
        for table in tables:
            got = actual.get(table)
            want = (expected or {}).get("tables", {}).get(table) if expected else None
            if got is None:
                problems.append(f"{table}: missing from the restored database")
                write(f"  {table:<40} MISSING")
                continue
            if want is None:
                write(f"  {table:<40} {got['rows']:>10,} rows  (no manifest to compare)")
                continue
            same = got == want
            if not same:
                problems.append(f"{table}: expected {want['rows']} rows / checksum {want['checksum']}, "
                                f"restored {got['rows']} rows / checksum {got['checksum']}")
            write(f"  {table:<40} {got['rows']:>10,} rows  {'ok' if same else 'DIFFERENT'}")
        if problems:
            raise CommandError("backup check FAILED:\n  " + "\n  ".join(problems))
        verdict = "OK" if expected else "RESTORED (nothing to compare with)"
        write(self.style.SUCCESS(f"backup check {verdict}: {len(tables)} tables"))
