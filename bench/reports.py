"""Report benchmark: server time and query count of the monthly service analysis on PostgreSQL.
Not a test (see bench/README.md); results go to docs/reports.md.

    # a private copy of a bench database (never load the shared one), migrated:
    createdb -h 127.0.0.1 -U postgres -T kefu_bench_100k kefu_bench_hr1
    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_hr1 .venv/bin/python manage.py migrate

    .venv/bin/python bench/reports.py setup --db kefu_bench_hr1      clocks, callbacks, ratings (SQL, idempotent)
    .venv/bin/python bench/reports.py run --db kefu_bench_hr1        time the month with the most orders
    .venv/bin/python bench/reports.py run --db kefu_bench_hr1 --without-indexes   the same without the report indexes
    .venv/bin/python bench/reports.py explain --db kefu_bench_hr1    EXPLAIN ANALYZE of the slowest queries
    .venv/bin/python bench/reports.py dump --db kefu_bench_hr1 > a.json   every figure, to diff two checkouts

The bench databases' orders (`manage.py demo_data --no-clocks`, as `bench/run.py setup` loads them)
have events but no SLA clocks, callbacks or ratings; `setup` synthesises them in SQL with fixed proportions so the report has every figure to
compute: a first-response and a resolution clock per order (met / breached / running /
cancelled from the order's status and times), a callback on 90% of resolved complaints and
repairs (75% completed, 10% unreachable, the rest open) and a used rating link on 40% of
resolved orders; then it recomputes the report facts of every order (kefu.reports.facts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("KEFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")

SETUP_SQL = [
    # idempotent: only orders without clocks get them
    """
    INSERT INTO sla_slaclock (kind, business, target_minutes, state, started_at, due_at, paused_minutes,
        stopped_at, elapsed_minutes, breached_at, missing_holiday_years, calendar_id, work_order_id, next_step,
        carried_minutes)
    SELECT 'first_response', false, 30,
        CASE WHEN o.status = 'cancelled' THEN 'cancelled' WHEN o.status = 'new' THEN 'running'
             WHEN (o.id % 10) = 0 THEN 'breached' ELSE 'met' END,
        o.received_at, o.received_at + interval '30 minutes', 0,
        CASE WHEN o.status = 'new' THEN NULL WHEN (o.id % 10) = 0 THEN o.received_at + interval '45 minutes'
             ELSE o.received_at + ((o.id % 29) || ' minutes')::interval END,
        CASE WHEN o.status = 'new' THEN NULL WHEN (o.id % 10) = 0 THEN 45 ELSE (o.id % 29) END,
        CASE WHEN (o.id % 10) = 0 AND o.status NOT IN ('new', 'cancelled') THEN o.received_at + interval '30 minutes' END,
        '[]'::jsonb, (SELECT id FROM sla_workcalendar ORDER BY id LIMIT 1), o.id, 0, 0
    FROM workorders_workorder o
    WHERE NOT EXISTS (SELECT 1 FROM sla_slaclock c WHERE c.work_order_id = o.id)
    """,
    """
    INSERT INTO sla_slaclock (kind, business, target_minutes, state, started_at, due_at, paused_minutes,
        stopped_at, elapsed_minutes, breached_at, missing_holiday_years, calendar_id, work_order_id, next_step,
        carried_minutes)
    SELECT 'resolution', false, 1440,
        CASE WHEN o.status = 'cancelled' THEN 'cancelled' WHEN o.resolved_at IS NULL THEN 'running'
             WHEN o.resolved_at <= o.received_at + interval '1 day' THEN 'met' ELSE 'breached' END,
        o.received_at, o.received_at + interval '1 day', 0,
        CASE WHEN o.status = 'cancelled' THEN o.updated_at ELSE o.resolved_at END,
        CASE WHEN o.resolved_at IS NOT NULL THEN extract(epoch FROM o.resolved_at - o.received_at) / 60 END,
        CASE WHEN o.resolved_at > o.received_at + interval '1 day' THEN o.received_at + interval '1 day' END,
        '[]'::jsonb, (SELECT id FROM sla_workcalendar ORDER BY id LIMIT 1), o.id, 0, 0
    FROM workorders_workorder o
    WHERE NOT EXISTS (SELECT 1 FROM sla_slaclock c WHERE c.work_order_id = o.id AND c.kind = 'resolution')
    """,
    # A clock stops in a work-order event, which sets the order's updated_at (the reports rely on
    # it, OrderFact.updated_at); a synthetic first response after the order's last event is moved
    # back onto it.
    """
    UPDATE sla_slaclock c SET stopped_at = o.updated_at,
        elapsed_minutes = extract(epoch FROM o.updated_at - c.started_at) / 60
    FROM workorders_workorder o
    WHERE o.id = c.work_order_id AND c.kind = 'first_response' AND c.stopped_at > o.updated_at
    """,
    """
    INSERT INTO callbacks_callback (source, reference, reason, status, on_site_required, due_at, max_attempts,
        attempts_count, auto_close, outcome, solved, comment, reopen_requested, created_at, completed_at,
        work_order_id)
    SELECT 'resolution', '', '',
        CASE WHEN o.id % 20 < 15 THEN 'completed' WHEN o.id % 20 < 17 THEN 'unreachable' ELSE 'open' END,
        false, o.resolved_at + interval '2 days', 3, 1, false,
        CASE WHEN o.id % 20 < 15 THEN (ARRAY['very_satisfied', 'satisfied', 'satisfied', 'neutral',
                                            'dissatisfied'])[1 + o.id % 5] ELSE '' END,
        CASE WHEN o.id % 20 < 15 THEN true END, '', false, o.resolved_at,
        CASE WHEN o.id % 20 < 17 THEN o.resolved_at + interval '1 day' END, o.id
    FROM workorders_workorder o
    WHERE o.type IN ('complaint', 'repair') AND o.resolved_at IS NOT NULL AND o.id % 10 <> 9
      AND NOT EXISTS (SELECT 1 FROM callbacks_callback c WHERE c.work_order_id = o.id)
    """,
    """
    INSERT INTO callbacks_ratinglink (token_hash, channel, to_address, created_at, expires_at, used_at, speed,
        attitude, quality, comment, work_order_id)
    SELECT md5('bench' || o.id), 'sms', '13800138000', o.resolved_at, o.resolved_at + interval '7 days',
        o.resolved_at + interval '3 hours', 3 + o.id % 3, 2 + o.id % 4, 3 + o.id % 3, '', o.id
    FROM workorders_workorder o
    WHERE o.resolved_at IS NOT NULL AND o.id % 5 < 2
      AND NOT EXISTS (SELECT 1 FROM callbacks_ratinglink r WHERE r.work_order_id = o.id)
    """,
    "ANALYZE",
]

# The indexes this report needs on other apps' tables, as the models define them (workorders
# migration 0006, sla 0010 and 0011); `run --without-indexes` drops them to measure what they are
# worth. (The report facts' own indexes, reports 0003, stay.)
PROPOSED_INDEXES = [
    "CREATE INDEX IF NOT EXISTS sla_clock_kind_stopped_cov_idx ON sla_slaclock (kind, stopped_at) "
    "INCLUDE (work_order_id, state, elapsed_minutes) WHERE stopped_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS sla_clock_kind_live_due_idx ON sla_slaclock (kind, due_at) "
    "WHERE stopped_at IS NULL",
    "CREATE INDEX IF NOT EXISTS wo_resolved_idx ON workorders_workorder (resolved_at) "
    "WHERE resolved_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS wo_complaint_customer_idx ON workorders_workorder (customer_id, category_id, "
    "received_at) WHERE type = 'complaint'",
    "CREATE INDEX IF NOT EXISTS wo_complaint_asset_idx ON workorders_workorder (asset_id, category_id, received_at) "
    "WHERE type = 'complaint'",
]
DROP_INDEXES = ["DROP INDEX IF EXISTS sla_clock_kind_stopped_cov_idx", "DROP INDEX IF EXISTS sla_clock_kind_live_due_idx",
                "DROP INDEX IF EXISTS wo_resolved_idx", "DROP INDEX IF EXISTS wo_complaint_customer_idx",
                "DROP INDEX IF EXISTS wo_complaint_asset_idx"]


def _django(db: str):
    os.environ["KEFU_DATABASE_URL"] = f"{PG_SERVER}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def setup(args):
    _django(args.db)
    from django.db import connection

    with connection.cursor() as cursor:
        # A freshly analysed copy says sla_slaclock is empty, and the planner then probes the
        # "no clock yet" anti-joins with a sequential scan of the table the statement is filling
        # (quadratic: it had not finished after 18 minutes at 1M orders). Hash joins only.
        cursor.execute("SET enable_nestloop = off")
        for sql in SETUP_SQL:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"{cursor.rowcount:>8} rows  {time.perf_counter() - started:6.1f} s  {sql.split()[2] if sql.strip() != 'ANALYZE' else 'ANALYZE'}")
    # The synthesised callbacks and ratings bypass the services, which keep the report facts
    # (ADR 0008): recompute them all, as `manage.py report_facts --rebuild` would.
    from kefu.reports.facts import order_facts_rebuild

    started = time.perf_counter()
    written = order_facts_rebuild()
    print(f"{written:>8} rows  {time.perf_counter() - started:6.1f} s  report facts")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_orderfact")


def _busiest_month():
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from kefu.workorders.models import WorkOrder

    row = (WorkOrder.objects.annotate(m=TruncMonth("received_at")).values("m").annotate(n=Count("pk"))
           .order_by("-n").first())
    return row["m"].date(), row["n"]


def _actors():
    from django.contrib.auth import get_user_model

    from kefu.org.selectors import actor_for_user

    users = get_user_model().objects.filter(staff__role__code__in=["director", "supervisor"], is_active=True,
                                            staff__is_active=True).select_related("staff__role", "staff__department")
    picked = {}
    for user in users:
        picked.setdefault(user.staff.role.code, user)
    return {role: actor_for_user(user) for role, user in picked.items()}


def _measure(fn, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], None
    for i in range(repeat + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            elapsed = (time.perf_counter() - started) * 1000
        if i:  # the first run warms the caches (plans, holiday table, buffers)
            times.append(elapsed)
        queries = captured.captured_queries
    slow = sorted(queries, key=lambda q: -float(q["time"]))[:5]
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "queries": len(queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
            "slowest": [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]} for q in slow]}


def run(args):
    _django(args.db)
    from django.db import connection

    from kefu.reports import selectors
    from kefu.reports.metrics import Period

    with connection.cursor() as cursor:
        # The indexes are the models' (workorders 0006, sla 0010); --without-indexes drops them for
        # a comparison and the `finally` below puts them back, so the copy stays as migrated.
        for sql in DROP_INDEXES if args.without_indexes else PROPOSED_INDEXES:
            cursor.execute(sql)
        cursor.execute("ANALYZE sla_slaclock; ANALYZE workorders_workorder; ANALYZE reports_orderfact")
        cursor.execute("SELECT count(*) FROM workorders_workorder")
        total = cursor.fetchone()[0]
    first, in_month = _busiest_month()
    period = selectors.month_period(first)
    period = Period(period.start, period.end, "Asia/Shanghai")
    results = {"database": args.db, "orders": total, "month": first.isoformat(), "orders_in_month": in_month,
               "indexes": not args.without_indexes, "at": dt.datetime.now().isoformat(timespec="seconds")}
    measured = {
        "service_analysis": lambda actor, scope: selectors.service_analysis(actor=actor, period=period, scope=scope),
        "with_comparison": lambda actor, scope: selectors.service_analysis_compared(actor=actor, period=period,
                                                                                  scope=scope),
        "complaint_report": lambda actor, scope: selectors.type_report(actor=actor, period=period, scope=scope,
                                                                       type="complaint"),
        "dashboard": lambda actor, scope: selectors.dashboard(actor=actor, scope=scope),
    }
    for role, actor in _actors().items():
        scope = selectors.Scope()
        for name in args.reports.split(","):
            results[f"{role}:{name}"] = _measure(lambda fn=measured[name], actor=actor, scope=scope: fn(actor, scope), args.repeat)
    if args.without_indexes:
        with connection.cursor() as cursor:
            for sql in PROPOSED_INDEXES:
                cursor.execute(sql)
    out = json.dumps(results, ensure_ascii=False, indent=1)
    print(out)
    if args.save:
        path = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-reports-{args.db}.json"
        path.write_text(out)
        print(f"saved {path}")


def explain(args):
    _django(args.db)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.reports import selectors

    first, _n = _busiest_month()
    period = selectors.month_period(first)
    actor = _actors()["director"]
    with CaptureQueriesContext(connection) as captured:
        selectors.service_analysis(actor=actor, period=period, scope=selectors.Scope())
    with connection.cursor() as cursor:
        for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:args.top]:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print(f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql'][:400]}\n" + "\n".join(r[0] for r in cursor.fetchall()))


def dump(args):
    """Every figure of the busiest month's analysis (with both comparisons) and complaint report,
    for the director and the supervisor, at a fixed `now`, as JSON on stdout: run it from two
    checkouts against the same database and diff the files to show a change kept the numbers."""
    _django(args.db)
    from django.utils import translation

    from kefu.reports import selectors

    first, _n = _busiest_month()
    period = selectors.month_period(first)
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    out = {}
    with translation.override("en"):
        for role, actor in _actors().items():
            out[role] = selectors.service_analysis_compared(actor=actor, period=period, scope=selectors.Scope(),
                                                            now=now)
            out[f"{role}:complaint"] = selectors.type_report(actor=actor, period=period, scope=selectors.Scope(),
                                                             type="complaint", now=now)
    print(json.dumps(out, default=str, sort_keys=True, ensure_ascii=False, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("setup", "run", "explain", "dump"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--repeat", type=int, default=5)
        p.add_argument("--top", type=int, default=3)
        p.add_argument("--without-indexes", action="store_true",
                       help="run: drop the report indexes for the comparison (recreated afterwards)")
        p.add_argument("--save", action="store_true")
        p.add_argument("--reports", default="service_analysis,with_comparison,complaint_report,dashboard",
                       help="run: which reads to time (comma-separated)")
    args = parser.parse_args()
    {"setup": setup, "run": run, "explain": explain, "dump": dump}[args.command](args)


if __name__ == "__main__":
    main()
