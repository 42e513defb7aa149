"""Customer lookup latency with 200,000 customers on PostgreSQL (target: p95 ≤ 50 ms).

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_customers \\
        .venv/bin/python bench/customers_search.py [--customers 200000] [--rounds 60]

Creates (if needed) and migrates the database, fills it once with customers (Chinese names,
mobile phones, resident ID numbers for half of them), units over two sites ("CH-3-2-1201") and
broadband accounts, then times `customers.selectors.customer_search` — the function behind the
intake lookup and `GET /api/v1/customers/?q=` — for each kind of query an agent types, as an agent
(visibility "all") and as a steward (department scope). Prints p50/p95/max per kind and overall,
and writes the JSON summary to bench/results/. Not a test: nothing asserts a time.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("KEFU_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kefu_bench_customers")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玉兰志强晓红永红海燕俊凤宁波鑫"


def resident_id(rng: random.Random) -> str:
    from kefu.customers.identifiers import resident_id_check_char

    born = date(rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 28))
    first17 = f"{rng.choice(['110101', '310104', '440305', '330106'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def fill(customers: int, seed: int = 3) -> None:
    from django.db import transaction

    from kefu.customers.codes import asset_sort_key
    from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone, Site
    from kefu.customers.services import name_initials
    from kefu.org.models import Department
    from kefu.org.services import department_create

    have = Customer.objects.count()
    if have >= customers:
        print(f"{have} customers present")
        return
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        company = Department.objects.filter(code="BENCH-CO").first() or department_create(
            name="基准项目", code="BENCH-CO", kind="company")
        sites = [Site.objects.get_or_create(code=code, defaults={"name": name, "department": company})[0]
                 for code, name in (("CH", "翠湖花园"), ("JY", "锦园"))]
        units = []
        for site in sites:
            for b in range(1, 21):
                building = Building.objects.get_or_create(site=site, code=str(b), defaults={"name": f"{b}栋"})[0]
                for entrance in range(1, 5):
                    for floor in range(1, 33):
                        for room in range(1, 5):
                            code = f"{site.code}-{b}-{entrance}-{floor}{room:02d}"
                            units.append(Asset(kind="unit", code=code, code_key=code, code_key_reversed=code[::-1], code_sort=asset_sort_key(code),
                                               site=site, building=building, floor=floor))
        accounts = [Asset(kind="account", code=f"BB{200000 + n}", code_key=f"BB{200000 + n}",
                          code_key_reversed=f"BB{200000 + n}"[::-1]) for n in range(customers // 10)]
        Asset.objects.bulk_create(units + accounts, batch_size=5000)
        unit_ids = list(Asset.objects.filter(kind="unit").values_list("pk", flat=True))
        account_ids = list(Asset.objects.filter(kind="account").values_list("pk", flat=True))
        batch = 10_000
        used: set[str] = set()
        for start in range(have, customers, batch):
            rows = []
            for _n in range(start, min(start + batch, customers)):
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
                number = resident_id(rng) if rng.random() < 0.5 else ""
                rows.append(Customer(name=name, name_initials=name_initials(name), name_reversed=name[::-1],
                                     id_type="resident_id" if number
                                     else "", id_number=number, id_number_reversed=number[::-1]))
            Customer.objects.bulk_create(rows, batch_size=5000)
            phones, links = [], []
            for c in rows:
                while True:
                    phone = rng.choice(["138", "139", "135", "186", "159", "177"]) + f"{rng.randrange(10**8):08d}"
                    if phone not in used:
                        used.add(phone)
                        break
                phones.append(CustomerPhone(customer_id=c.pk, number=phone, number_reversed=phone[::-1], raw=phone,
                                            is_primary=True))
                asset = rng.choice(unit_ids) if rng.random() < 0.85 else rng.choice(account_ids)
                links.append(CustomerAsset(customer_id=c.pk, asset_id=asset, relation="owner"))
            CustomerPhone.objects.bulk_create(phones, batch_size=5000)
            CustomerAsset.objects.bulk_create(links, batch_size=5000)
            print(f"  {start + len(rows)} customers", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled in {time.perf_counter() - started:.1f} s")


def queries(rng: random.Random, rounds: int) -> dict[str, list[str]]:
    from kefu.customers.models import Asset, Customer, CustomerPhone

    sample = list(Customer.objects.order_by("?").values_list("name", "name_initials", "id_number")[:rounds * 2])
    phones = list(CustomerPhone.objects.order_by("?").values_list("number", flat=True)[:rounds])
    units = list(Asset.objects.filter(kind="unit").order_by("?").values_list("code", flat=True)[:rounds])
    accounts = list(Asset.objects.filter(kind="account").order_by("?").values_list("code", flat=True)[:rounds])
    ids = [n for _name, _i, n in sample if n][:rounds]
    return {
        "phone_full": [f"{p[:3]} {p[3:7]} {p[7:]}" for p in phones],
        "phone_prefix_7": [p[:7] for p in phones],
        "phone_tail_4": [p[-4:] for p in phones],
        "name_exact": [name for name, _i, _n in sample[:rounds]],
        "name_surname": [name[0] for name, _i, _n in sample[:rounds]],
        "name_fragment_2": [name[-2:] for name, _i, _n in sample[:rounds] if len(name) >= 3][:rounds]
        or [name for name, _i, _n in sample[:rounds]],
        "initials": [i[:2] for _name, i, _n in sample[:rounds]],
        "unit_code": [code.split("-", 1)[1] for code in units],
        "unit_chinese": ["{}栋{}单元{}".format(*code.split("-")[1:]) for code in units],
        "account": accounts,
        "id_full": ids,
        "id_tail_4": [n[-4:] for n in ids],
    }


def _timed(spent: list[float]):
    """A connection execute wrapper adding each statement's time (ms) to spent[0]."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += (time.perf_counter() - started) * 1000

    return wrapper


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=60, help="queries per kind")
    args = parser.parse_args(argv)
    ensure_database(os.environ["KEFU_DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kefu.customers.selectors import customer_search
    from kefu.org.choices import Visibility
    from kefu.org.models import Department
    from kefu.org.selectors import Actor

    call_command("migrate", verbosity=0)
    fill(args.customers)
    rng = random.Random(11)
    kinds = queries(rng, args.rounds)
    company = Department.objects.get(code="BENCH-CO")
    steward = Actor(user_id=0, role="steward", department_id=company.pk, department_path=company.path,
                    visibility=Visibility.DEPARTMENT, max_complaint_level=0, max_approval_amount=None,
                    is_approver=False, staff=None)
    results: dict = {"customers": args.customers, "database": connection.vendor, "kinds": {},
                     "load_average": os.getloadavg()}
    # Calibration: one trivial round trip, to read the numbers on a busy machine.
    baseline = []
    for _ in range(200):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        baseline.append((time.perf_counter() - started) * 1000)
    results["select_1_p50_ms"] = round(statistics.median(baseline), 3)
    print(f"load average {os.getloadavg()}; SELECT 1 p50 {results['select_1_p50_ms']} ms")
    everything: list[float] = []
    db_everything: list[float] = []
    for role, actor in (("agent", None), ("steward", steward)):
        for kind, qs in kinds.items():
            for q in qs[:5]:  # warm-up
                customer_search(q=q, limit=20, actor=actor)
            times, db_times, found = [], [], 0
            for q in qs:
                spent = [0.0]
                with connection.execute_wrapper(_timed(spent)):
                    started = time.perf_counter()
                    rows = customer_search(q=q, limit=20, actor=actor)
                    times.append((time.perf_counter() - started) * 1000)
                db_times.append(spent[0])
                found += bool(rows)
            everything.extend(times)
            db_everything.extend(db_times)
            summary = {"n": len(times), "p50_ms": round(statistics.median(times), 2),
                       "p95_ms": round(percentile(times, 95), 2), "max_ms": round(max(times), 2),
                       "db_p95_ms": round(percentile(db_times, 95), 2), "found": found}
            results["kinds"][f"{role}:{kind}"] = summary
            print(f"{role:8} {kind:16} p50 {summary['p50_ms']:7.2f} ms  p95 {summary['p95_ms']:7.2f} ms  "
                  f"max {summary['max_ms']:7.2f} ms  (database p95 {summary['db_p95_ms']:6.2f} ms)  "
                  f"found {found}/{len(times)}")
    results["overall"] = {"n": len(everything), "p50_ms": round(statistics.median(everything), 2),
                          "p95_ms": round(percentile(everything, 95), 2),
                          "db_p95_ms": round(percentile(db_everything, 95), 2)}
    print(f"overall  p50 {results['overall']['p50_ms']} ms  p95 {results['overall']['p95_ms']} ms "
          f"(database p95 {results['overall']['db_p95_ms']} ms) over {len(everything)} lookups; "
          f"load average after {os.getloadavg()}")
    out = ROOT / "bench" / "results" / f"{date.today():%Y-%m-%d}-customers-search.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
