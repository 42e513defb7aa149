"""Server time of the arrears list and ageing (issue #21: ≤ 200 ms p95 over 100,000 units and
3 years of monthly bills) on PostgreSQL, as ratios to `/ping/` measured in the same run.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<your database> \\
        .venv/bin/python bench/frontdesk_arrears.py [--units 100000] [--months 36] [--rounds 40]

Fills the database once: four sites (three of a company, one of another), `--units` units with
areas, a management fee by area, one bill per unit and month for `--months` months (generated in
SQL: 3.6M rows at the defaults), one payment per unit covering its first k bills (four units in
five pay everything; the others stop 1–36 months ago), and the per-unit balance rows computed by
SQL with the same rule as `frontdesk.services.balance_recompute` (paid oldest first) — checked
against `balance_recompute` on 200 random units before measuring. Then times whole requests
through Django's test client (middleware, session, view, template; no network) as a supervisor
(department scope) and as a clerk (every site). Not a test: nothing asserts a time.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(units_wanted: int, months: int, today: date) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from kefu.customers.codes import asset_sort_key
    from kefu.customers.models import Asset, Building, Site
    from kefu.frontdesk.models import FeeItem
    from kefu.org.models import Role
    from kefu.org.services import department_create, staff_create

    users = get_user_model().objects
    if Site.objects.filter(code="FB-1").exists():
        print(f"{Asset.objects.filter(kind='unit', site__code__startswith='FB-').count()} units present")
        return {"supervisor": users.get(username="bench_fd_supervisor"), "clerk": users.get(username="bench_fd_clerk")}
    started = time.perf_counter()
    rng = random.Random(21)
    with transaction.atomic():
        company = department_create(name="基准物业", code="FB-CO", kind="company")
        cs = department_create(name="客服中心", code="FB-CS", kind="department", parent=company)
        other = department_create(name="其他物业", code="FB-OT", kind="company")
        supervisor = staff_create(username="bench_fd_supervisor", password="bench-pass-1", display_name="主管",
                                  department=cs, role=Role.objects.get(code="supervisor"), employee_no="FB1").user
        clerk = staff_create(username="bench_fd_clerk", password="bench-pass-1", display_name="文员",
                             department=cs, role=Role.objects.get(code="clerk"), employee_no="FB2").user
        sites = [Site.objects.create(code=f"FB-{n}", name=f"基准小区{n}", department=company if n < 4 else other)
                 for n in range(1, 5)]
        per_site = units_wanted // len(sites)
        for site in sites:
            buildings = [Building.objects.create(site=site, code=str(b), name=f"{b}栋") for b in range(1, 26)]
            FeeItem.objects.create(site=site, code="MGMT", name="物业管理费", basis="area", rate="2.8000")
            batch = []
            for i in range(per_site):
                b = buildings[i % len(buildings)]
                code = f"{site.code}-{b.code}-{i // len(buildings) + 101}"
                batch.append(Asset(kind="unit", code=code, code_key=code, code_key_reversed=code[::-1], code_sort=asset_sort_key(code), site=site,
                                   building=b, floor=1, area=rng.choice(["68.50", "89.20", "105.00", "128.70"])))
            Asset.objects.bulk_create(batch, batch_size=5000)
    print(f"  units in {time.perf_counter() - started:.1f} s", flush=True)
    index = today.year * 12 + today.month - 1 - months  # the first billed month, months before this one
    first = date(index // 12, index % 12 + 1, 1)
    with connection.cursor() as cursor:
        # One bill per unit and month, due on the month's last day; 4 units in 5 pay everything,
        # the others stop paying between 1 and `months` months ago (paid_months per unit).
        cursor.execute("""
            INSERT INTO frontdesk_bill (unit_id, item_id, period, amount, due_date, source, created_at)
            SELECT a.id, i.id, to_char(m, 'YYYY-MM'), round(a.area * i.rate, 2),
                   (m + interval '1 month' - interval '1 day')::date, 'generated', now()
            FROM customers_asset a JOIN frontdesk_feeitem i ON i.site_id = a.site_id
            CROSS JOIN generate_series(%s::date, %s::date - interval '1 month', interval '1 month') m
            WHERE a.site_id IN (SELECT id FROM customers_site WHERE code LIKE 'FB-%%')
        """, [first, date(today.year, today.month, 1)])
        print(f"  bills in {time.perf_counter() - started:.1f} s", flush=True)
        cursor.execute("""
            CREATE TEMP TABLE paid_months AS
            SELECT a.id AS unit_id, CASE WHEN hashtext(a.code) %% 5 <> 0 THEN %s
                                         ELSE abs(hashtext(a.code || 'k')) %% %s END AS k
            FROM customers_asset a WHERE a.site_id IN (SELECT id FROM customers_site WHERE code LIKE 'FB-%%')
        """, [months, months])
        cursor.execute("""
            INSERT INTO frontdesk_payment (unit_id, kind, amount, paid_at, reference, created_at)
            SELECT b.unit_id, 'payment', sum(b.amount), max(b.due_date), '', now()
            FROM (SELECT b.*, row_number() OVER (PARTITION BY b.unit_id ORDER BY b.due_date, b.id) AS n
                  FROM frontdesk_bill b) b JOIN paid_months p ON p.unit_id = b.unit_id
            WHERE b.n <= p.k GROUP BY b.unit_id
        """)
        # The balance rows: the same rule as balance_recompute (payments cover bills oldest first).
        cursor.execute("""
            INSERT INTO frontdesk_unitbalance (unit_id, site_id, billed, paid, balance, oldest_unpaid_due, updated_at)
            SELECT a.id, a.site_id, coalesce(t.billed, 0), coalesce(p.paid, 0),
                   coalesce(t.billed, 0) - coalesce(p.paid, 0), o.oldest, now()
            FROM customers_asset a
            LEFT JOIN (SELECT unit_id, sum(amount) AS billed FROM frontdesk_bill GROUP BY unit_id) t ON t.unit_id = a.id
            LEFT JOIN (SELECT unit_id, sum(amount) AS paid FROM frontdesk_payment GROUP BY unit_id) p ON p.unit_id = a.id
            LEFT JOIN (
                SELECT c.unit_id, min(c.due_date) AS oldest FROM (
                    SELECT b.unit_id, b.due_date,
                           sum(b.amount) OVER (PARTITION BY b.unit_id ORDER BY b.due_date, b.id) AS running
                    FROM frontdesk_bill b) c
                LEFT JOIN (SELECT unit_id, sum(amount) AS paid FROM frontdesk_payment GROUP BY unit_id) p2
                       ON p2.unit_id = c.unit_id
                WHERE c.running > coalesce(p2.paid, 0) GROUP BY c.unit_id) o ON o.unit_id = a.id
            WHERE a.site_id IN (SELECT id FROM customers_site WHERE code LIKE 'FB-%%')
        """)
        cursor.execute("ANALYZE")
    print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)
    return {"supervisor": supervisor, "clerk": clerk}


def check_balances(sample: int = 200) -> int:
    """The SQL-built balance rows equal what balance_recompute computes for random units."""
    from django.db import transaction

    from kefu.frontdesk.models import UnitBalance
    from kefu.frontdesk.services import balance_recompute

    ids = list(UnitBalance.objects.filter(site__code__startswith="FB-").order_by("?").values_list("pk", flat=True)[:sample])
    for pk in ids:
        with transaction.atomic():
            before = UnitBalance.objects.select_for_update().get(pk=pk)
            expected = (before.billed, before.paid, before.balance, before.oldest_unpaid_due)
            after = balance_recompute(balance=before)
            got = (after.billed, after.paid, after.balance, after.oldest_unpaid_due)
            assert got == expected, (pk, expected, got)
    return len(ids)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--rounds", type=int, default=40, help="requests per case")
    args = parser.parse_args(argv)
    if not os.environ.get("KEFU_DATABASE_URL", "").startswith("postgres"):
        sys.exit("set KEFU_DATABASE_URL to a PostgreSQL database of your own")
    ensure_database(os.environ["KEFU_DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from kefu.customers.models import Site
    from kefu.frontdesk.models import Bill, UnitBalance

    call_command("migrate", verbosity=0)
    users = fill(args.units, args.months, timezone.localdate())
    checked = check_balances()
    site = Site.objects.get(code="FB-2")
    counts = {"units": UnitBalance.objects.filter(site__code__startswith="FB-").count(),
              "bills": Bill.objects.filter(unit__site__code__startswith="FB-").count(),
              "in_arrears": UnitBalance.objects.filter(site__code__startswith="FB-", balance__gt=0,
                                                       oldest_unpaid_due__lt=timezone.localdate()).count()}
    print(counts, f"balances checked on {checked} units", flush=True)
    cases = {
        "ping": ("/ping/", {}),
        "arrears api": ("/api/v1/fees/arrears/", {}),
        "arrears api site": ("/api/v1/fees/arrears/", {"site": site.pk}),
        "arrears api middle page": ("/api/v1/fees/arrears/", {"page": str(max(1, counts["in_arrears"] // 50))}),
        "arrears page + ageing": ("/frontdesk/fees/arrears/", {}),
        "arrears page + ageing site": ("/frontdesk/fees/arrears/", {"site": site.pk}),
    }
    results: dict = {"units": args.units, "months": args.months, "counts": counts, "database": connection.vendor,
                     "rounds": args.rounds, "cases": {}, "load_average_before": os.getloadavg()}
    for role, user in users.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for name, (url, params) in cases.items():
            for _ in range(3):
                assert client.get(url, params).status_code == 200
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results["cases"][f"{role}:{name}"] = {"p50_ms": round(statistics.median(times), 1),
                                                  "p95_ms": round(percentile(times, 95), 1),
                                                  "max_ms": round(max(times), 1)}
        ping = results["cases"][f"{role}:ping"]["p50_ms"]
        for name in cases:
            case = results["cases"][f"{role}:{name}"]
            case["p50_ratio_to_ping"] = round(case["p50_ms"] / ping, 1) if ping else None
            print(f"{role:10} {name:28} p50 {case['p50_ms']:7.1f} ms  p95 {case['p95_ms']:7.1f} ms  "
                  f"max {case['max_ms']:7.1f} ms  ×ping {case['p50_ratio_to_ping']}", flush=True)
    results["load_average_after"] = os.getloadavg()
    out = ROOT / "bench" / "results" / f"{date.today():%Y-%m-%d}-frontdesk-arrears.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
