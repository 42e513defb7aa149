"""Standards board benchmark: server time and query count of the board (all fourteen standards) for
a year, on PostgreSQL, in-process (no HTTP), beside an in-process `/ping/` for the ratio. Not a test
(bench/README.md); results go to docs/performance.md.

    # a private copy of a bench database (or one made for this run), migrated:
    createdb -h 127.0.0.1 -U postgres kefu_standards_bench
    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_standards_bench .venv/bin/python manage.py migrate
    KEFU_DATABASE_URL=… .venv/bin/python manage.py demo_data --orders 0
    KEFU_DATABASE_URL=… .venv/bin/python manage.py demo_data --orders 100000 --append --no-clocks

    .venv/bin/python bench/standards.py setup --db kefu_standards_bench   clocks, callbacks, ratings, facts
                                                                          (bench/reports.py), walk-in dispatch
                                                                          clocks, QA checks, scorecards
    .venv/bin/python bench/standards.py run --db kefu_standards_bench     the last 12 months, median of 5

`setup` is idempotent; it adds what the report benchmark does not synthesise: a dispatch clock on every
walk-in order (met, 1 in 7 breached), a year of weekly QA checks (one per order sampled from 1 in 200
orders, 1 in 9 scored late), sampled on-site callbacks on 1 in 10 of the callbacks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import reports as report_bench  # noqa: E402  # bench/reports.py: the shared set-up and timing helpers

EXTRA_SQL = [
    """
    INSERT INTO sla_slaclock (kind, business, target_minutes, state, started_at, due_at, paused_minutes,
        stopped_at, elapsed_minutes, breached_at, missing_holiday_years, calendar_id, work_order_id, next_step,
        carried_minutes)
    SELECT 'dispatch', false, 3,
        CASE WHEN o.status = 'cancelled' THEN 'cancelled' WHEN (o.id % 7) = 0 THEN 'breached' ELSE 'met' END,
        o.received_at, o.received_at + interval '3 minutes', 0,
        o.received_at + (CASE WHEN (o.id % 7) = 0 THEN 5 ELSE 2 END || ' minutes')::interval,
        CASE WHEN (o.id % 7) = 0 THEN 5 ELSE 2 END,
        CASE WHEN (o.id % 7) = 0 AND o.status <> 'cancelled' THEN o.received_at + interval '3 minutes' END,
        '[]'::jsonb, (SELECT id FROM sla_workcalendar ORDER BY id LIMIT 1), o.id, 0, 0
    FROM workorders_workorder o
    WHERE o.channel = 'walk_in'
      AND NOT EXISTS (SELECT 1 FROM sla_slaclock c WHERE c.work_order_id = o.id AND c.kind = 'dispatch')
    """,
    """
    UPDATE callbacks_callback SET source = 'sample', on_site_required = (id % 3 = 0)
    WHERE id % 10 = 0 AND source <> 'sample'
    """,
    """
    INSERT INTO quality_qacheck (work_order_id, agent_id, department_id, form_id, week_start, status, version,
        score, passed, scored_by_id, scored_at, created_at, updated_at, comment, appeal_reason, appeal_decision,
        appeal_comment)
    SELECT o.id, o.first_contact_owner_id, s.department_id, (SELECT id FROM quality_qaform ORDER BY id LIMIT 1),
        (o.received_at AT TIME ZONE 'Asia/Shanghai')::date
            - (EXTRACT(ISODOW FROM o.received_at AT TIME ZONE 'Asia/Shanghai')::int - 1),
        CASE WHEN o.id % 9 = 0 THEN 'pending' ELSE 'scored' END, 1,
        CASE WHEN o.id % 9 = 0 THEN NULL ELSE 90 END, CASE WHEN o.id % 9 = 0 THEN NULL ELSE true END,
        CASE WHEN o.id % 9 = 0 THEN NULL ELSE o.first_contact_owner_id END,
        CASE WHEN o.id % 9 = 0 THEN NULL ELSE o.received_at + interval '2 days' END, o.received_at, o.received_at,
        '', '', '', ''
    FROM workorders_workorder o JOIN org_staff s ON s.user_id = o.first_contact_owner_id
    WHERE o.id % 200 = 0 AND NOT EXISTS (SELECT 1 FROM quality_qacheck q WHERE q.work_order_id = o.id)
    """,
    "ANALYZE sla_slaclock; ANALYZE callbacks_callback; ANALYZE quality_qacheck",
]


def setup(args):
    report_bench.setup(args)
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in EXTRA_SQL:
            cursor.execute(sql)
            print(f"{cursor.rowcount:>8} rows  {sql.split()[0:3]}")
    from kefu.standards.demo import create_demo_standards

    print(create_demo_standards())


def run(args):
    report_bench._django(args.db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from kefu.org.selectors import actor_for_user
    from kefu.reports.metrics import Period
    from kefu.reports.selectors import Scope
    from kefu.standards import selectors

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workorders_workorder")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT max(received_at) FROM workorders_workorder")
        latest = cursor.fetchone()[0]
    end = timezone.localtime(latest).date()
    start = end - dt.timedelta(days=364)
    period = Period(start, end, "Asia/Shanghai")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workorders_workorder WHERE received_at >= %s", [period.since])
        in_year = cursor.fetchone()[0]
    import os

    results = {"load_average": os.getloadavg(), "database": args.db, "orders": total, "orders_in_period": in_year, "start": start.isoformat(),
               "end": end.isoformat(), "at": dt.datetime.now().isoformat(timespec="seconds")}
    users = get_user_model().objects.filter(username__in=["director", "manager", "supervisor"])
    now = timezone.now()
    client = Client(SERVER_NAME="localhost")
    assert client.get("/ping/").status_code == 200
    results["ping"] = report_bench._measure(lambda: client.get("/ping/"), args.repeat)
    for user in users:
        actor = actor_for_user(user)
        results[f"{user.username}:board"] = report_bench._measure(
            lambda actor=actor: selectors.board(actor=actor, period=period, scope=Scope(), now=now), args.repeat)
        client.force_login(user)
        assert client.get("/api/v1/standards/", {"start": start.isoformat(), "end": end.isoformat()}).status_code == 200
        query = {"start": start.isoformat(), "end": end.isoformat()}
        results[f"{user.username}:api"] = report_bench._measure(
            lambda query=query: client.get("/api/v1/standards/", query), args.repeat)
    ping = results["ping"]["median_ms"] or 0.001
    for key, value in list(results.items()):
        if isinstance(value, dict) and key != "ping":
            value["ratio_to_ping"] = round(value["median_ms"] / ping, 1)
    out = json.dumps(results, ensure_ascii=False, indent=1)
    print(out)
    if args.save:
        path = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-standards-{args.db}.json"
        path.write_text(out)
        print(f"saved {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("setup", "run"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--repeat", type=int, default=5)
        p.add_argument("--save", action="store_true")
    args = parser.parse_args()
    {"setup": setup, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
