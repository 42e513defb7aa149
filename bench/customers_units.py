"""Server time of the unit list (`/customers/units/`, `GET /api/v1/units/`) with 20,000 units.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<your database> \\
        .venv/bin/python bench/customers_units.py [--units 20000] [--rounds 40]

Creates (if needed) and migrates the database, fills it once: four sites of 5,000 units (two of
a company, one of another company, one shared), 20 buildings each; ~70 % occupied (an owner, a
family member in one unit of five; some customers soft-deleted), archives with 0–6 required
documents per unit, 600 open work orders. Then times whole requests through Django's test client
(middleware, session, view, template; no network; a new database connection per request, as
with CONN_MAX_AGE 0) as a steward (department scope) and a clerk (sees every site), for the
filters people use. Prints p50/p95/max per case (the statements per request are counted in
kefu/customers/tests/test_units.py) and writes the JSON summary to bench/results/. Not a test: nothing asserts a time.
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
# The test settings: tasks run in-process (the orders' notifications must not be queued for a
# worker that reads another database) and static files need no collected manifest.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玉兰志强晓红永红海燕俊凤宁波鑫"
STATUSES = ["occupied"] * 70 + ["vacant"] * 15 + ["renovating"] * 5 + ["for_rent"] * 5 + ["for_sale"] * 5
USES = ["residential"] * 85 + ["commercial"] * 10 + ["parking"] * 5


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(units_wanted: int, seed: int = 5) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from kefu.customers.codes import asset_sort_key
    from kefu.customers.models import (
        ArchiveDocument,
        Asset,
        Building,
        Customer,
        CustomerAsset,
        CustomerPhone,
        DocumentType,
        Site,
    )
    from kefu.customers.services import name_initials
    from kefu.org.models import Department, Role
    from kefu.org.services import department_create, staff_create
    from kefu.workorders.tests.factories import make_work_order

    users = get_user_model().objects
    if Site.objects.filter(code="U-CH").exists():
        print(f"{Asset.objects.filter(kind='unit').count()} units present")
        return {"steward": users.get(username="bench_unit_steward"), "clerk": users.get(username="bench_unit_clerk")}
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        company = Department.objects.filter(code="BU-CO").first() or department_create(
            name="基准物业", code="BU-CO", kind="company")
        team = department_create(name="管家组", code="BU-STW", kind="team", parent=company)
        other = department_create(name="其他物业", code="BU-OT", kind="company")
        steward = staff_create(username="bench_unit_steward", password="bench-pass-1", display_name="管家",
                               department=team, role=Role.objects.get(code="steward"), employee_no="BU1").user
        clerk = staff_create(username="bench_unit_clerk", password="bench-pass-1", display_name="文员",
                             department=company, role=Role.objects.get(code="clerk"), employee_no="BU2").user
        sites = [Site.objects.create(code=code, name=name, department=dept) for code, name, dept in (
            ("U-CH", "翠湖花园", company), ("U-JY", "锦园", company), ("U-HY", "华悦大厦", other), ("U-GX", "共享小区", None))]
        per_site = units_wanted // len(sites)
        per_building = per_site // 20
        units = []
        for site in sites:
            for b in range(1, 21):
                building = Building.objects.create(site=site, code=str(b), name=f"{b}栋")
                for n in range(per_building):
                    entrance, floor, room = n // 125 + 1, (n % 125) // 5 + 1, n % 5 + 1
                    code = f"{site.code}-{b}-{entrance}-{floor}{room:02d}"
                    units.append(Asset(kind="unit", code=code, code_key=code, code_key_reversed=code[::-1], code_sort=asset_sort_key(code),
                                       site=site, building=building, floor=floor, area=rng.randrange(40, 180),
                                       use=rng.choice(USES), unit_status=rng.choice(STATUSES)))
        Asset.objects.bulk_create(units, batch_size=5000)
        customers, people = [], []
        for unit in units:
            if unit.unit_status != "occupied":
                continue
            for relation in ("owner", "family") if rng.random() < 0.2 else ("owner",):
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
                customers.append(Customer(name=name, name_initials=name_initials(name), name_reversed=name[::-1],
                                          deleted_at=timezone.now() if rng.random() < 0.02 else None))
                people.append((unit.pk, relation))
        Customer.objects.bulk_create(customers, batch_size=5000)
        phones, links = [], []
        for i, (customer, (unit_pk, relation)) in enumerate(zip(customers, people, strict=True)):
            phone = f"139{i:08d}"
            phones.append(CustomerPhone(customer_id=customer.pk, number=phone, number_reversed=phone[::-1],
                                        raw=phone, is_primary=True))
            links.append(CustomerAsset(customer_id=customer.pk, asset_id=unit_pk, relation=relation,
                                       started_on=date(2020, 1, 1)))
        CustomerPhone.objects.bulk_create(phones, batch_size=5000)
        CustomerAsset.objects.bulk_create(links, batch_size=5000)
        types = list(DocumentType.objects.filter(scope="unit", required=True))
        documents = [ArchiveDocument(document_type=t, asset_id=unit.pk, status="present")
                     for unit in units for t in rng.sample(types, rng.randrange(len(types) + 1))]
        ArchiveDocument.objects.bulk_create(documents, batch_size=5000)
    print(f"  {len(units)} units, {len(customers)} customers, {len(documents)} archive documents", flush=True)
    for unit in rng.sample(units, 600):
        make_work_order(actor=clerk, asset=unit)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled in {time.perf_counter() - started:.1f} s")
    return {"steward": steward, "clerk": clerk}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=20_000)
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

    from kefu.customers.models import Building, Site

    call_command("migrate", verbosity=0)
    users = fill(args.units)
    ch = Site.objects.get(code="U-CH")
    building = Building.objects.get(site=ch, code="7")
    cases = {
        "first page": {},
        "page 80": {"page": "80"},
        "status occupied": {"status": "occupied"},
        "no occupants": {"occupied": "false"},
        "site + building": {"site": ch.pk, "building": building.pk},
        "code tail 1201": {"q": "1201"},
        "code 7栋1单元1201": {"q": "7栋1单元1201"},
        "shops with occupants": {"use": "commercial", "occupied": "true"},
    }
    results: dict = {"units": args.units, "database": connection.vendor, "rounds": args.rounds, "cases": {},
                     "load_average_before": os.getloadavg()}
    everything: list[float] = []
    for role, user in users.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for surface, url in (("page", "/customers/units/"), ("api", "/api/v1/units/")):
            for name, params in cases.items():
                for _ in range(3):  # warm-up
                    assert client.get(url, params).status_code == 200
                times = []
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                everything.extend(times)
                summary = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
                           "max_ms": round(max(times), 1)}
                results["cases"][f"{role}:{surface}:{name}"] = summary
                print(f"{role:8} {surface:4} {name:22} p50 {summary['p50_ms']:6.1f} ms  p95 {summary['p95_ms']:6.1f} ms"
                      f"  max {summary['max_ms']:6.1f} ms", flush=True)
    results["overall"] = {"n": len(everything), "p50_ms": round(statistics.median(everything), 1),
                          "p95_ms": round(percentile(everything, 95), 1)}
    results["load_average_after"] = os.getloadavg()
    print(f"overall p50 {results['overall']['p50_ms']} ms  p95 {results['overall']['p95_ms']} ms over "
          f"{len(everything)} requests; load average {os.getloadavg()}")
    out = ROOT / "bench" / "results" / f"{date.today():%Y-%m-%d}-customers-units.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
