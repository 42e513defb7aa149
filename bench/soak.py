"""The soak (issue #15): the scale-out site (bench/cluster.py: nginx, two gunicorn nodes, two Huey
consumers on Redis, PostgreSQL) under 30 minutes of mixed traffic at half the intake capacity
measured at the start of the same run. Passes when clients saw 0 errors, the memory (RSS) of every
web worker and Huey consumer stayed flat (last 5 minutes within ±10% of minutes 2–7), the open
connections did not grow (PostgreSQL backends of the database, Redis clients of its database,
sockets of each process), and the exactly-once checks of bench/scaleout.py hold.

    make soak                                 (≈ 35 min)
    .venv/bin/python bench/soak.py --duration 1800

Traffic (share of requests): 40% intake, 30% transitions (accept → dispatch → start → resolve),
20% the team queue API, 10% an order's API. The capacity is intake through nginx with 4 closed-loop
clients for 20 s; `/ping/` through nginx is measured beside it (ratios, bench/README.md).
Writes bench/results/<date>-soak.json and .md; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import HOST, Load, Site, api_token, db_fixtures, latency, prepare_database, psql, steps  # noqa: E402
from loadgen import Request, run_phase  # noqa: E402
from run import intake_requests, log, machine  # noqa: E402
from scaleout import redis_db_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MIX = {"intake": 0.4, "transition": 0.3, "queue": 0.2, "detail": 0.1}


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def sockets(pid: int) -> int:
    import os

    try:
        return sum(1 for fd in os.listdir(f"/proc/{pid}/fd") if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"))
    except OSError:
        return 0


def redis_clients(url: str) -> int:
    import redis

    db = int(url.rsplit("/", 1)[1])
    return sum(1 for c in redis.Redis.from_url(url).client_list() if int(c.get("db", -1)) == db)


def sample(site: Site, db: str, t0: float) -> dict:
    procs = {}
    for proc in site.web + site.workers:
        pids = proc.pids()
        for i, pid in enumerate(pids):
            role = "master" if (proc in site.web and i == 0) else "worker"
            procs[f"{proc.name}/{role}/{pid}"] = {"rss_kb": rss_kb(pid), "sockets": sockets(pid)}
    return {"t_s": round(time.monotonic() - t0, 1), "procs": procs,
            "pg_backends": int(psql(f"select count(*) from pg_stat_activity where datname = '{db}'")),
            "redis_clients": redis_clients(site.redis_url)}


def flat(samples: list[dict], start_s: float, window_s: float, duration: float) -> dict:
    """Per process: mean RSS in [start, start+window) vs the last `window` seconds; and the
    connection counts' maximum in both windows."""
    first = [s for s in samples if start_s <= s["t_s"] < start_s + window_s]
    last = [s for s in samples if s["t_s"] >= duration - window_s]
    out = {"processes": {}, "connections": {}}
    for name in samples[-1]["procs"]:
        a = [s["procs"][name]["rss_kb"] for s in first if name in s["procs"]]
        b = [s["procs"][name]["rss_kb"] for s in last if name in s["procs"]]
        if a and b:
            change = statistics.mean(b) / statistics.mean(a) - 1
            out["processes"][name] = {"rss_first_mb": round(statistics.mean(a) / 1024, 1),
                                      "rss_last_mb": round(statistics.mean(b) / 1024, 1),
                                      "change_pct": round(100 * change, 1),
                                      "sockets_first_max": max(s["procs"][name]["sockets"] for s in first if name in s["procs"]),
                                      "sockets_last_max": max(s["procs"][name]["sockets"] for s in last if name in s["procs"])}
    for key in ("pg_backends", "redis_clients"):
        out["connections"][key] = {"first_max": max(s[key] for s in first), "last_max": max(s[key] for s in last)}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=1800)
    parser.add_argument("--sample-every", type=float, default=30)
    parser.add_argument("--window", type=float, default=300, help="the compared windows (s)")
    parser.add_argument("--warmup", type=float, default=120, help="the first window starts here (s)")
    parser.add_argument("--capacity", type=float, default=None, help="skip the measurement: intakes/s")
    parser.add_argument("--db", default="kefu_soak_run")
    parser.add_argument("--base-db", default="kefu_scaleout_base")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--label", default="soak")
    args = parser.parse_args(argv)

    redis_db_ready(args.redis)
    prepare_database(args.db, args.base_db)
    fixtures = db_fixtures(args.db)
    site = Site(db=args.db, redis_url=args.redis)
    report = {"started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
              "config": vars(args), "mix": MIX}
    samples: list[dict] = []
    try:
        site.start()
        token = api_token(site.port, "agent")
        # Capacity, and /ping/ beside it, through nginx in the same run.
        ping = run_phase(name="ping", host=HOST, port=site.port, make_request=lambda i: Request("GET", "/ping/"),
                         clients=4, duration=10, max_requests=20000, warmup=20)
        intake = run_phase(name="intake", host=HOST, port=site.port, make_request=intake_requests(fixtures, token),
                           clients=4, duration=20, max_requests=5000, warmup=5, expect_status=201)
        capacity = args.capacity or intake["rps"]
        report["capacity"] = {"ping": ping, "intake": intake, "intake_per_s": capacity,
                              "intake/ping req/s": round(intake["rps"] / ping["rps"], 4) if ping["rps"] else None}
        rate = capacity / 2
        log(f"/ping/ {ping['rps']} req/s, intake capacity {intake['rps']} orders/s (4 clients, errors "
            f"{intake['errors']}); soak at {rate:.1f} req/s for {args.duration:.0f} s")
        before = steps(args.db, "mark")

        load = Load(port=site.port, token=token, fixtures=fixtures, run_id=uuid.uuid4().hex[:8], backdate_share=0.2)
        t0 = time.monotonic()
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                try:
                    samples.append(sample(site, args.db, t0))
                except Exception as exc:  # a sample lost is not a failed soak; say so in the log
                    log(f"sample failed: {exc!r}")
                if samples and len(samples) % 10 == 0:
                    last = samples[-1]
                    log(f"t={last['t_s']:.0f}s requests={len(load.records)} pg_backends={last['pg_backends']} "
                        f"redis_clients={last['redis_clients']}")
                stop.wait(args.sample_every)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        load.run(duration=args.duration, rates={k: rate * share for k, share in MIX.items()})
        stop.set()
        thread.join()
        samples.append(sample(site, args.db, t0))
        soak_seconds = time.monotonic() - t0
        deadline = time.monotonic() + 200
        while time.monotonic() < deadline:
            state = steps(args.db, "settled", "--above-id", str(before["max_order_id"]),
                          "--above-message", str(before["max_message_id"]))
            if state["due_steps"] == 0 and state["pending_messages"] == 0:
                break
            time.sleep(5)
        client_file = site.tmp / "client.json"
        client_file.write_text(json.dumps(load.client_json()))
        smtp_file = site.tmp / "smtp.json"
        smtp_file.write_text(json.dumps(site.smtp.messages, ensure_ascii=False))
        checks = steps(args.db, "verify", "--above-id", str(before["max_order_id"]),
                       "--above-event", str(before["max_event_id"]), "--above-message", str(before["max_message_id"]),
                       "--client", str(client_file), "--smtp", str(smtp_file))
    finally:
        site.stop()

    by_kind = {}
    for r in load.records:
        k = by_kind.setdefault(r.kind, {"requests": 0, "ok": 0, "conflict_409": 0, "errors": 0})
        k["requests"] += 1
        if r.status in (200, 201):
            k["ok"] += 1
        elif r.status == 409:
            k["conflict_409"] += 1
        else:
            k["errors"] += 1
    for kind in by_kind:
        by_kind[kind].update(latency(load.records, kind))
    errors = sum(k["errors"] for k in by_kind.values())
    stability = flat(samples, args.warmup, args.window, soak_seconds)
    rss_ok = all(abs(p["change_pct"]) <= 10 for p in stability["processes"].values())
    # PostgreSQL backends and Redis clients must not grow at all; a process's own sockets may differ
    # by the one connection in use when sampled (a client a web worker answers, a consumer's SMTP session).
    conn_ok = all(c["last_max"] <= c["first_max"] for c in stability["connections"].values()) and all(
        p["sockets_last_max"] <= p["sockets_first_max"] + 1 for p in stability["processes"].values())
    report.update({"soak_seconds": round(soak_seconds, 1), "rate_per_s": round(rate, 2), "requests": by_kind,
                   "errors": errors, "error_examples": [f"{r.kind} {r.status} {r.error[:120]}" for r in load.records
                                                        if r.status not in (200, 201, 409)][:5],
                   "stability": stability, "rss_flat": rss_ok, "connections_flat": conn_ok, "checks": checks,
                   "samples": samples, "load_average_after": Path("/proc/loadavg").read_text().split()[:3]})
    report["ok"] = bool(errors == 0 and rss_ok and conn_ok and checks["ok"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{dt.date.today():%Y-%m-%d}-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    log(f"wrote {stem}.json and .md; logs of the processes in {site.tmp}")
    return 0 if report["ok"] else 1


def markdown(report: dict) -> str:
    cap = report["capacity"]
    lines = [f"Soak {report['started']} ({report['machine']['nproc']} cores, PostgreSQL {report['machine']['postgres']}): "
             f"{report['soak_seconds']:.0f} s at {report['rate_per_s']} req/s = half the intake capacity of "
             f"{cap['intake_per_s']} orders/s measured first (4 clients through nginx; /ping/ {cap['ping']['rps']} req/s "
             f"in the same run, intake/ping {cap['intake/ping req/s']}). Load average after: "
             f"{' '.join(report['load_average_after'])}.", "",
             "| requests | sent | ok | 409 | errors | client p50 ms | p95 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, k in report["requests"].items():
        lines.append(f"| {kind} | {k['requests']} | {k['ok']} | {k['conflict_409']} | {k['errors']} | "
                     f"{k['p50_ms']} | {k['p95_ms']} | {k['max_ms']} |")
    lines += ["", "| process | RSS min 2–7 (MB) | RSS last 5 min (MB) | change | sockets first / last (max) |",
              "|---|---:|---:|---:|---:|"]
    for name, p in report["stability"]["processes"].items():
        lines.append(f"| {name} | {p['rss_first_mb']} | {p['rss_last_mb']} | {p['change_pct']:+.1f}% | "
                     f"{p['sockets_first_max']} / {p['sockets_last_max']} |")
    for key, c in report["stability"]["connections"].items():
        lines.append(f"| {key} (max) | | | | {c['first_max']} / {c['last_max']} |")
    c = report["checks"]
    lines += ["", f"Errors: {report['errors']}. RSS flat (±10%): {report['rss_flat']}. Connections not growing: "
              f"{report['connections_flat']}. Exactly-once checks: orders {c['orders']['duplicates']} duplicates / "
              f"{c['orders']['accepted_missing']} missing; transitions {c['transitions']['duplicates']} duplicates; "
              f"SLA {c['sla']['steps_fired']} steps, {c['sla']['duplicate_steps']} twice, {c['sla']['due_but_not_fired']} "
              f"not fired; outbox {c['outbox']['received_by_smtp']} received, {c['outbox']['received_more_than_once']} twice, "
              f"{c['outbox']['sent_not_received']} lost.", "", f"**{'PASS' if report['ok'] else 'FAIL'}**"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
