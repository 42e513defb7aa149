"""SLA sweeper benchmark: an idle sweep over many running clocks, then a burst of due steps.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_100k \\
        .venv/bin/python bench/sweep.py --clocks 300000 --due 1000

Adds `--clocks` running SLA clocks (due in the future) spread over the open and recent orders
of the database, all in a marker calendar so they can be removed again; times `sla_sweep` with
nothing due (the partial index on next_step_at should answer at once); then makes `--due` of them
due and times the sweep that fires their steps (chunks of 200 clocks claimed with FOR UPDATE SKIP
LOCKED; one Escalation row and one order event per step, inserted in bulk). The clocks, escalations and events it added are deleted at the end. Prints
one JSON line. Not a test: nothing asserts a time.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("KEFU_HUEY_IMMEDIATE", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu.sla.models import Escalation, SlaClock, SlaPolicy, WorkCalendar  # noqa: E402
from kefu.sla.services import sla_sweep  # noqa: E402
from kefu.workorders.models import WorkOrder, WorkOrderEvent  # noqa: E402

MARKER = "bench-sweep"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=300_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--processes", type=int, default=1,
                        help="sweep the due clocks with this many processes at once (exactly-once check)")
    parser.add_argument("--sweep-only", metavar="NOW", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sweep_only:  # a child process of --processes
        from datetime import datetime

        print(sla_sweep(now=datetime.fromisoformat(args.sweep_only)))
        return

    calendar, _ = WorkCalendar.objects.get_or_create(name=MARKER, defaults={"always_open": True,
                                                                          "use_china_holidays": False})
    policy = SlaPolicy.objects.filter(is_default=True).first()
    now = timezone.now()
    order_ids = list(WorkOrder.objects.order_by("-id").values_list("id", flat=True)[: max(1, args.clocks // 3)])
    kinds = ["first_response", "dispatch", "resolution"]
    rows = []
    for i in range(args.clocks):
        due = now + timedelta(days=1 + i % 5)
        rows.append(SlaClock(work_order_id=order_ids[(i // 3) % len(order_ids)], kind=kinds[i % 3], policy=policy,
                             calendar=calendar, business=False, target_minutes=600, started_at=now,
                             due_at=due, warn_at=due - timedelta(hours=2), next_step=0,
                             next_step_at=due - timedelta(hours=2)))
    # The partial unique constraint allows one live clock per order and kind: use distinct pairs.
    seen, unique_rows = set(), []
    for r in rows:
        key = (r.work_order_id, r.kind)
        if key not in seen:
            seen.add(key)
            unique_rows.append(r)
    SlaClock.objects.filter(work_order_id__in=order_ids).delete()
    t0 = time.perf_counter()
    SlaClock.objects.bulk_create(unique_rows, batch_size=5000)
    insert_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE sla_slaclock")
    live = SlaClock.objects.filter(stopped_at=None, paused_at=None).count()

    idle = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fired = sla_sweep(now=now)
        idle.append(time.perf_counter() - t0)
        assert fired == 0, fired

    due_ids = list(SlaClock.objects.filter(calendar=calendar).order_by("id").values_list("id", flat=True)[: args.due])
    SlaClock.objects.filter(id__in=due_ids).update(next_step_at=now - timedelta(minutes=1))
    events_before = WorkOrderEvent.objects.filter(action="escalate").count()
    t0 = time.perf_counter()
    if args.processes > 1:
        import subprocess

        children = [subprocess.Popen([sys.executable, __file__, "--sweep-only", now.isoformat()],
                                     stdout=subprocess.PIPE, text=True) for _ in range(args.processes)]
        per_process = [int(c.communicate()[0].strip().splitlines()[-1]) for c in children]
        fired = sum(per_process)
    else:
        per_process = None
        fired = sla_sweep(now=now)
    burst_s = time.perf_counter() - t0
    events = WorkOrderEvent.objects.filter(action="escalate").count() - events_before
    fired_rows = Escalation.objects.filter(clock__calendar=calendar)
    distinct_steps = fired_rows.values("clock", "step").distinct().count()
    escalation_rows = fired_rows.count()  # before the clean-up below deletes them

    # clean up what this run added
    Escalation.objects.filter(clock__calendar=calendar).delete()
    WorkOrderEvent.objects.filter(action="escalate", created_at=now).delete()
    SlaClock.objects.filter(calendar=calendar).delete()
    print(json.dumps({
        "orders": WorkOrder.objects.count(), "clocks_inserted": len(unique_rows), "live_clocks": live,
        "insert_seconds": round(insert_s, 2), "idle_sweep_ms": sorted(round(s * 1000, 2) for s in idle),
        "due": len(due_ids), "fired": fired, "escalate_events": events, "burst_seconds": round(burst_s, 3),
        "processes": args.processes, "fired_per_process": per_process,
        "escalation_rows": escalation_rows, "distinct_clock_steps": distinct_steps,
        "steps_per_second": round(fired / burst_s, 1) if burst_s else None,
    }))


if __name__ == "__main__":
    main()
