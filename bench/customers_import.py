"""Import of a 100,000-row occupants workbook on PostgreSQL (target: ≤ 60 s), then the same file again.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_import \\
        .venv/bin/python bench/customers_import.py [--rows 100000] [--bad-every 300]

Creates (if needed) and migrates the database and empties its customer tables, writes the
workbook (Chinese headers, valid resident IDs, one bad row in every `--bad-every`: wrong check
digit, short phone, unknown relation, impossible date or missing name, in turn), then runs what
the import page runs — upload, dry run, import (the Huey task, in-process), and the same file a
second time — and prints a JSON summary (also written to bench/results/). Not a test: nothing
asserts a time; it does check that exactly the bad rows were rejected and that the second import
changed nothing.
"""

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("KEFU_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kefu_bench_import")
# The task runs in this process right after its transaction commits, as a worker would run it.
os.environ.setdefault("KEFU_HUEY_IMMEDIATE", "1")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def empty_customer_tables() -> None:
    from django.db import connection

    from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone
    from kefu.exchange.models import ImportJob

    models = [Customer, CustomerPhone, CustomerAsset, Asset, Building, ImportJob]
    tables = [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in models
                                                   if hasattr(m, "history")]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def run_import(path: Path, user) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.exchange import services
    from kefu.exchange.models import ImportJob

    out: dict = {}
    started = time.perf_counter()
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    job = services.import_job_create(actor_user=user, upload=upload)
    out["upload_s"] = round(time.perf_counter() - started, 2)
    t = time.perf_counter()
    services.import_job_start(job=job, actor_user=user, commit=False)
    job = ImportJob.objects.get(pk=job.pk)
    out["dry_run_s"] = round(time.perf_counter() - t, 2)
    out["dry_run_counts"] = job.counts
    t = time.perf_counter()
    services.import_job_start(job=job, actor_user=user, commit=True, skip_rejected=True)
    job = ImportJob.objects.get(pk=job.pk)
    out["import_s"] = round(time.perf_counter() - t, 2)
    out["total_s"] = round(time.perf_counter() - started, 2)
    out["status"] = job.status
    out["counts"] = job.counts
    out["rejected_rows"] = sorted(set(job.row_errors.values_list("row", flat=True)))
    out["reasons"] = sorted({e.code for e in job.row_errors.all()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-every", type=int, default=300)
    args = parser.parse_args()
    url = os.environ["KEFU_DATABASE_URL"]
    ensure_database(url)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from kefu.customers.models import Asset, Customer, CustomerAsset, CustomerPhone, Site
    from kefu.exchange.sample import occupants_xlsx

    call_command("migrate", verbosity=0)
    empty_customer_tables()
    Site.objects.get_or_create(code="S1", defaults={"name": "翠湖花园"})
    user = get_user_model().objects.filter(username="bench-import").first() or \
        get_user_model().objects.create_superuser("bench-import", "bench@example.com", "bench")

    path = ROOT / "var" / "bench" / f"occupants-{args.rows}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    bad = occupants_xlsx(path, args.rows, site="S1", bad_every=args.bad_every)
    generate_s = round(time.perf_counter() - t, 2)

    first = run_import(path, user)
    tables = lambda: {"customers": Customer.objects.count(), "phones": CustomerPhone.objects.count(),  # noqa: E731
                      "units": Asset.objects.count(), "occupancies": CustomerAsset.objects.count()}
    after_first = tables()
    second = run_import(path, user)
    after_second = tables()
    summary = {
        "date": date.today().isoformat(), "database": "postgresql" if url.startswith("postgres") else url,
        "rows": args.rows, "bad_rows": len(bad), "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_s": generate_s,
        "first": {k: v for k, v in first.items() if k != "rejected_rows"},
        "second": {k: v for k, v in second.items() if k != "rejected_rows"},
        "rejected_exactly_the_bad_rows": first["rejected_rows"] == sorted(bad) == second["rejected_rows"],
        "tables_after_first": after_first, "second_changed_nothing": after_first == after_second and all(
            c.get("created", 0) == 0 and c.get("updated", 0) == 0
            for k, c in second["counts"].items() if k != "rows"),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{summary['date']}-customers-import.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
