"""The scale-out test (issue #15): a whole site on this machine — nginx in front of two gunicorn
nodes, two Huey consumers on Redis, PostgreSQL — under a fixed-rate load of intakes and transitions
for 2 minutes, while one web node and one worker are killed with SIGKILL and restarted. Afterwards:

- every intake a client saw accepted (201) is exactly one order; no order was written twice;
- every transition a client saw done (200) is exactly one event, and none happened twice;
- every SLA step that came due fired exactly once (steps 0…next_step-1 per clock, one event each);
- every event that tells someone created its notices; every outbox message was sent exactly once
  (the SMTP server counts what arrives);
- clients saw errors for at most 1 s around each kill.

    make scaleout                       (≈ 5 min: setup, 2 min of load, the workers' last sweep, checks)
    .venv/bin/python bench/scaleout.py --duration 120 --intake-rate 2 --transition-rate 2

Not part of `make test` (too long). Only 127.0.0.1 is loaded; the load is bounded in time and count.
Writes bench/results/<date>-scaleout.json and .md, and exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import (  # noqa: E402
    Load,
    Site,
    api_token,
    db_fixtures,
    error_windows,
    latency,
    prepare_database,
    steps,
)
from run import log, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def redis_db_ready(url: str) -> None:
    """The run's Redis database must hold nothing but an earlier run's Huey keys (never anyone else's)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = [k.decode() for k in client.keys("*")]
    foreign = [k for k in keys if not k.startswith(("huey.", ":1:", "kefu:"))]
    if foreign:
        raise SystemExit(f"{url} holds other keys ({foreign[:3]}…): choose another --redis database")
    if keys:
        client.delete(*keys)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--intake-rate", type=float, default=2.0, help="intakes per second")
    parser.add_argument("--transition-rate", type=float, default=2.0, help="transitions per second")
    parser.add_argument("--kill-web-at", type=float, default=40)
    parser.add_argument("--kill-worker-at", type=float, default=75)
    parser.add_argument("--down-for", type=float, default=3.0, help="seconds a killed process stays down")
    parser.add_argument("--db", default="kefu_scaleout_run")
    parser.add_argument("--base-db", default="kefu_scaleout_base")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--settle", type=float, default=200, help="max seconds to wait for the workers afterwards")
    parser.add_argument("--label", default="scaleout")
    args = parser.parse_args(argv)

    redis_db_ready(args.redis)
    prepare_database(args.db, args.base_db)
    fixtures = db_fixtures(args.db)
    before = steps(args.db, "mark")
    site = Site(db=args.db, redis_url=args.redis)
    report = {"started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
              "config": {k: v for k, v in vars(args).items()}}
    kills: list[tuple[str, float]] = []
    try:
        site.start()
        load = Load(port=site.port, token=api_token(site.port, "agent"), fixtures=fixtures, run_id=uuid.uuid4().hex[:8])
        t0 = [0.0]

        def kill_and_restart(proc):
            def event():
                at = time.monotonic()
                proc.kill()
                kills.append((proc.name, at))
                log(f"SIGKILL {proc.name} (pid group {proc.proc.pid}) at {at - t0[0]:.1f} s")
                time.sleep(args.down_for)
                took = site.restart(proc)
                log(f"{proc.name} restarted, answering after {took:.1f} s")
                restarts.append({"proc": proc.name, "killed_at_s": round(at - t0[0], 2),
                                 "down_s": args.down_for, "boot_s": round(took, 2)})
            return event

        restarts: list[dict] = []
        log(f"load: {args.intake_rate} intakes/s + {args.transition_rate} transitions/s for {args.duration:.0f} s "
            f"through nginx :{site.port}")
        t0[0] = time.monotonic()
        load.run(duration=args.duration, rates={"intake": args.intake_rate, "transition": args.transition_rate},
                 events=[(args.kill_web_at, kill_and_restart(site.web[0])),
                         (args.kill_worker_at, kill_and_restart(site.workers[0]))])
        load_seconds = time.monotonic() - t0[0]
        log(f"load done in {load_seconds:.1f} s: {len(load.records)} requests")

        # The workers finish: due SLA steps fire at the next minute's sweep, their notices go out.
        deadline = time.monotonic() + args.settle
        state = {}
        while time.monotonic() < deadline:
            state = steps(args.db, "settled", "--above-id", str(before["max_order_id"]),
                          "--above-message", str(before["max_message_id"]))
            if state["due_steps"] == 0 and state["pending_messages"] == 0 and time.monotonic() - t0[0] > args.duration + 65:
                break
            time.sleep(5)
        log(f"workers settled: {state}")
        client_file = site.tmp / "client.json"
        client_file.write_text(json.dumps(load.client_json()))
        smtp_file = site.tmp / "smtp.json"
        smtp_file.write_text(json.dumps(site.smtp.messages, ensure_ascii=False))
        checks = steps(args.db, "verify", "--above-id", str(before["max_order_id"]),
                       "--above-event", str(before["max_event_id"]), "--above-message", str(before["max_message_id"]),
                       "--client", str(client_file), "--smtp", str(smtp_file))
    finally:
        site.stop()

    records = load.records
    windows, stray = error_windows(records, kills, t0[0])
    by_kind = {}
    for r in records:
        k = by_kind.setdefault(r.kind, {"requests": 0, "ok": 0, "conflict_409": 0, "errors": 0})
        k["requests"] += 1
        if r.status in (200, 201):
            k["ok"] += 1
        elif r.status == 409:
            k["conflict_409"] += 1
        else:
            k["errors"] += 1
    for kind in by_kind:
        by_kind[kind].update(latency(records, kind))
    report.update({
        "load_seconds": round(load_seconds, 1), "requests": by_kind, "restarts": restarts,
        "error_windows": windows, "errors_outside_kill_windows": len(stray),
        "stray_examples": [f"{r.kind} {r.status} {r.error[:120]}" for r in stray[:5]],
        "checks": checks, "load_average_after": Path("/proc/loadavg").read_text().split()[:3],
    })
    worst = max((w["span_s"] for w in windows), default=0.0)
    report["ok"] = bool(checks["ok"] and worst <= 1.0 and not stray)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{dt.date.today():%Y-%m-%d}-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    log(f"wrote {stem}.json and .md; logs of the processes in {site.tmp}")
    return 0 if report["ok"] else 1


def markdown(report: dict) -> str:
    c = report["checks"]
    lines = [f"Scale-out run {report['started']} ({report['machine']['nproc']} cores): "
             f"{report['config']['intake_rate']} intakes/s + {report['config']['transition_rate']} transitions/s "
             f"for {report['load_seconds']} s through nginx → 2 gunicorn nodes; 2 Huey consumers on Redis; "
             f"PostgreSQL {report['machine']['postgres']}.", "",
             f"Load average after the run: {' '.join(report['load_average_after'])} (the machine is shared).", "",
             "| requests | sent | ok | 409 | errors | client p50 ms | p95 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, k in report["requests"].items():
        lines.append(f"| {kind} | {k['requests']} | {k['ok']} | {k['conflict_409']} | {k['errors']} | "
                     f"{k['p50_ms']} | {k['p95_ms']} | {k['max_ms']} |")
    lines += ["", "| kill | at (s) | failed requests | clients saw errors for (s) | back after (s) |",
              "|---|---:|---:|---:|---:|"]
    restarts = {r["proc"]: r for r in report["restarts"]}
    for w in report["error_windows"]:
        r = restarts.get(w["kill"], {"down_s": 0, "boot_s": 0})
        lines.append(f"| {w['kill']} SIGKILL | {w['at_s']:.1f} | {w['errors']} | {w['span_s']} | "
                     f"{r['down_s'] + r['boot_s']:.1f} |")
    o, t, s, n, m = c["orders"], c["transitions"], c["sla"], c["notifications"], c["outbox"]
    lines += ["", "| check | result |", "|---|---|",
              f"| accepted intakes → orders | {o['accepted_by_clients']} accepted, {o['accepted_missing']} missing, "
              f"{o['duplicates']} duplicates; {o['unanswered_requests']} unanswered requests, "
              f"{o['unanswered_but_written']} of them written |",
              f"| transitions | {t['accepted_by_clients']} done for clients, {t['events']} events, "
              f"{t['accepted_missing']} missing, {t['duplicates']} duplicates |",
              f"| SLA steps | {s['clocks']} clocks, {s['steps_fired']} steps fired, {s['escalate_events']} events, "
              f"{s['duplicate_steps']} twice, {s['clocks_with_wrong_steps']} clocks with a step missing, "
              f"{s['due_but_not_fired']} due and not fired |",
              f"| notifications | {n['expected']} expected, {n['missing']} missing, {n['unexpected']} unexpected |",
              f"| outbox (email) | {m['messages']} messages {m['states']}, {m['received_by_smtp']} received, "
              f"{m['received_more_than_once']} twice, {m['sent_not_received']} lost, "
              f"{m['received_not_sent']} not recorded as sent |",
              f"| errors outside the kill windows | {report['errors_outside_kill_windows']} |",
              "", f"**{'PASS' if report['ok'] else 'FAIL'}**"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
