"""Inbound webhook throughput and screen-pop latency (issue 16), against gunicorn + PostgreSQL.

    .venv/bin/python bench/channels.py [--duration 10] [--label channels]

Database `kefu_bench_channels` (created, migrated and given the demo data once: the demo's
400 line, secret `demo-cti-hmac-key`, extension 8001 → `agent`). Server: `gunicorn --workers 2`,
as bench/run.py. Phases, in one run:

- `ping` at 4 clients: the ceiling (`/ping/`, no database);
- `cti_events` at 4 clients: signed `ringing`/`answered`/`ended` events of fresh calls (each
  stored raw, merged into its call, a conversation per new call) — events/s stored;
- `cti_redelivery` at 4 clients: the same event again (answered `duplicate`, nothing written);
- screen pop: a `ringing` event for the agent, then `GET /channels/screen-pop/` as that agent
  every 20 ms until the caller shows; the browser polls every 2 s, so what an agent waits is this
  plus up to 2 s.

Prints a JSON summary (also written to bench/results/<date>-<label>.json). Not a test.
"""

import argparse
import datetime as dt
import hashlib
import hmac
import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as R  # noqa: E402
from loadgen import Connection, Request, run_phase  # noqa: E402

DB = "kefu_bench_channels"
SECRET = "demo-cti-hmac-key"
R.db_url = lambda n: f"{R.PG_SERVER}/{DB}"  # every helper of run.py on this database


def setup() -> int:
    if R.psql(f"select 1 from pg_database where datname = '{DB}'") != "1":
        R.psql(f"create database {DB}")
    env = R.bench_env(0)
    subprocess.run([R.PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=R.ROOT, env=env, check=True)
    if R.psql("select count(*) from channels_channelaccount", DB) == "0":
        subprocess.run([R.PYTHON, "manage.py", "demo_data", "--orders", "50"], cwd=R.ROOT, env=env, check=True)
    return int(R.psql("select id from channels_channelaccount where kind = 'cti' order by id limit 1", DB))


def signed(account: int, payload: dict) -> Request:
    body = json.dumps(payload).encode()
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return Request("POST", f"/channels/cti/{account}/events/", body, {
        "Content-Type": "application/json", "X-Kefu-Timestamp": ts, "X-Kefu-Signature": f"sha256={sig}"})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--label", default="channels")
    args = parser.parse_args(argv)
    account = setup()
    run_id = f"b{int(time.time())}"
    server = R.Gunicorn(0, workers=2, threads=1, extra_env={"KEFU_DB_CONN_MAX_AGE": "60"})
    phases = []
    try:
        phases.append(run_phase(name="ping", host=R.HOST, port=server.port, clients=4, duration=args.duration,
                                max_requests=100000, warmup=20, make_request=lambda i: Request("GET", "/ping/"),
                                gunicorn_pid=server.proc.pid))
        kinds = ["ringing", "answered", "ended"]

        def event(i: int) -> Request:
            call, step = divmod(abs(i), 3)
            at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5 * step)
            return signed(account, {"event": kinds[step], "call_id": f"{run_id}-{'w' if i < 0 else ''}{call}",
                                    "caller": f"139{call % 100000000:08d}", "line": "4008008888",
                                    "at": at.isoformat(), "agent": "8002" if step else "",
                                    "recording_url": "https://rec.example.com/x.mp3" if step == 2 else ""})

        phases.append(run_phase(name="cti_events", host=R.HOST, port=server.port, clients=4, duration=args.duration,
                                max_requests=100000, warmup=9, make_request=event, gunicorn_pid=server.proc.pid))
        phases.append(run_phase(name="cti_redelivery", host=R.HOST, port=server.port, clients=4,
                                duration=args.duration, max_requests=100000, warmup=1,
                                make_request=lambda i: event(0), gunicorn_pid=server.proc.pid))
        cookie = R.session_cookie(server.port, "agent")
        pops = []
        poller = Connection(R.HOST, server.port)
        for n in itertools.count():
            if n >= 20:
                break
            caller = f"1380000{n:04d}"
            Connection(R.HOST, server.port).send(signed(account, {
                "event": "ringing", "call_id": f"{run_id}-pop-{n}", "caller": caller, "line": "4008008888",
                "at": dt.datetime.now(dt.UTC).isoformat(), "agent": "8001"}))
            start = time.perf_counter()
            while time.perf_counter() - start < 5:
                _sample, body, _ = poller.send(Request("GET", "/channels/screen-pop/", None, {"Cookie": cookie or ""}))
                if caller.encode() in body:
                    pops.append((time.perf_counter() - start) * 1000)
                    break
                time.sleep(0.02)
            # Answer it, so the next ringing call is the one on top.
            Connection(R.HOST, server.port).send(signed(account, {
                "event": "ended", "call_id": f"{run_id}-pop-{n}", "caller": caller, "line": "4008008888",
                "at": dt.datetime.now(dt.UTC).isoformat(), "agent": "8001"}))
    finally:
        server.stop()
    ping = next(p for p in phases if p["name"] == "ping")["rps"]
    report = {
        "label": args.label, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": R.machine(),
        "phases": phases,
        "ratios_to_ping": {p["name"]: round(p["rps"] / ping, 3) for p in phases if ping},
        "screen_pop_ms": {"samples": len(pops), "p50": round(statistics.median(pops), 1) if pops else None,
                          "max": round(max(pops), 1) if pops else None},
    }
    R.RESULTS.mkdir(parents=True, exist_ok=True)
    out = R.RESULTS / f"{dt.date.today():%Y-%m-%d}-{args.label}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("ratios_to_ping", "screen_pop_ms")}, indent=2))
    for p in phases:
        print(f"{p['name']:16} {p['clients']} clients {p['rps']:8.1f}/s  p50 {p['client_p50_ms']} ms  "
              f"p95 {p['client_p95_ms']} ms  errors {p['errors']} {p['error_examples'][:1]}")


if __name__ == "__main__":
    main()
