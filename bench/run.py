"""Kefu benchmarks: intake throughput, team-queue latency and the /ping/ ceiling, on gunicorn and
PostgreSQL, at several database sizes. See bench/README.md.

    .venv/bin/python bench/run.py setup --sizes 10k,100k,1m     create/fill the databases (once)
    .venv/bin/python bench/run.py run --sizes 10k,100k,1m       measure; writes bench/results/
    .venv/bin/python bench/run.py explain --size 1m             EXPLAIN ANALYZE of the team queue

Only 127.0.0.1 is ever loaded. Every phase is bounded by --duration seconds and a request cap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Connection, Request, run_phase  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python")
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("KEFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
HOST = "127.0.0.1"
PASSWORD = "kefu-demo"  # demo staff password (kefu/workspace/demo.py)
BUSY_MONTH_EXTRA = 60_000  # orders added to the last full month at 1M (report benchmark)

INTAKE_TITLES = [
    ("repair", "卫生间漏水到楼下", "业主来电反映卫生间地面渗水，楼下天花板已出现水渍，请尽快安排师傅上门查看。"),
    ("repair", "厨房下水道堵塞", "业主反映厨房水槽下水很慢，已自行疏通无效，希望今天下午上门处理。"),
    ("repair", "电梯异响", "3号电梯运行时有明显异响，业主担心安全，请维保单位尽快检查。"),
    ("repair", "地库道闸不抬杆", "地库出口道闸识别不了车牌，车辆排队，请工程部尽快处理。"),
    ("repair", "充电桩无法充电", "地下车位充电桩刷卡后无反应，业主晚上需要用车，请尽快维修。"),
    ("complaint", "楼上装修噪音大", "业主投诉楼上周末早上七点开始装修，噪音影响休息，要求物业出面协调。"),
    ("complaint", "楼道垃圾未清理", "业主反映楼道垃圾两天无人清理，气味很大，对保洁服务不满意。"),
    ("inquiry", "物业费缴费方式", "业主咨询物业费是否可以通过微信缴纳，以及是否有电子发票。"),
    ("inquiry", "装修申请需要什么材料", "新业主咨询办理装修申请需要准备哪些材料，押金如何退还。"),
]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    for suffix, mult in (("k", 1000), ("m", 1000000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * mult)
    return int(text)


def size_label(n: int) -> str:
    return f"{n // 1000000}m" if n % 1000000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def db_url(n: int) -> str:
    return f"{PG_SERVER}/kefu_bench_{size_label(n)}"


def bench_env(n: int, **extra) -> dict:
    env = dict(os.environ)
    env.update({
        "KEFU_DATABASE_URL": db_url(n),
        "KEFU_DEBUG": "0",
        "KEFU_ALLOWED_HOSTS": "127.0.0.1",
        "KEFU_VAR_DIR": str(ROOT / "var" / "bench"),
        "KEFU_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def log(msg: str):
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(["psql", f"{PG_SERVER}/{db}", "-tAc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


# --- databases ---------------------------------------------------------------------------------


def setup(n: int) -> int:
    """Create kefu_bench_<size>, migrate, and fill it to at least n orders (reused when it is)."""
    name = f"kefu_bench_{size_label(n)}"
    if psql(f"select 1 from pg_database where datname = '{name}'") != "1":
        psql(f"create database {name}")
        log(f"created database {name}")
    env = bench_env(n)
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    have = int(psql("select count(*) from workorders_workorder", name))
    if have >= n:
        log(f"{name}: {have} orders present, reused")
        return have
    log(f"{name}: {have} orders, adding {n - have} (about 1 minute per 50,000)")
    subprocess.run([PYTHON, "manage.py", "demo_data", "--orders", "0"], cwd=ROOT, env=env, check=True)
    busy = BUSY_MONTH_EXTRA if n >= 1_000_000 and have == 0 else 0
    # No SLA clocks: bench/reports.py synthesises its own, and the orders' times stay those of
    # the databases measured before the generator wrote clocks.
    subprocess.run([PYTHON, "manage.py", "demo_data", "--orders", str(n - have - busy), "--append",
                    "--seed", str(11 + have), "--no-clocks"], cwd=ROOT, env=env, check=True)
    if busy:
        # The report acceptance asks for 100,000 orders in the month at 1M: the last full
        # calendar month gets 60,000 more on top of its ~43,000 (see bench/README.md).
        last_day = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        log(f"{name}: adding {busy} orders in {last_day:%Y-%m} (the busy month)")
        subprocess.run([PYTHON, "manage.py", "demo_data", "--orders", str(busy), "--append", "--seed", "7001",
                        "--days", str(last_day.day), "--end", last_day.isoformat(), "--no-clocks"],
                       cwd=ROOT, env=env, check=True)
    psql("vacuum analyze", name)
    return int(psql("select count(*) from workorders_workorder", name))


def db_step(n: int, *args: str) -> dict:
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "db_steps.py"), *args], cwd=ROOT, env=bench_env(n),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Redis:
    """A private, memory-only redis-server for Huey (production's "a site" setup)."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Gunicorn:
    def __init__(self, n: int, *, workers: int, threads: int, extra_env: dict):
        self.port = free_port()
        logfile = ROOT / "var" / "bench" / f"gunicorn-{size_label(n)}.log"
        logfile.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(logfile, "w")  # noqa: SIM115 (closed in stop)
        cmd = [str(VENV / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
               "--threads", str(threads), "--backlog", "2048", "--log-level", "warning", "--timeout", "120"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(n, **extra_env), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        conn = Connection(HOST, self.port, timeout=5)
        for _ in range(300):
            try:
                if conn.send(Request("GET", "/ping/"))[0].status == 200:
                    conn.close()
                    return
            except OSError:
                conn.close()
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {logfile}")
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /ping/; see {logfile}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        self.log.close()


# --- sessions ------------------------------------------------------------------------------------


def api_token(port: int, username: str) -> str:
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    sample, data, _ = Connection(HOST, port).send(Request(
        "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/x-www-form-urlencoded"}))
    if sample.status != 200:
        raise RuntimeError(f"token for {username}: HTTP {sample.status} {data[:200]!r}")
    return json.loads(data)["token"]


def _cookies(resp) -> dict[str, str]:
    jar = {}
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def session_cookie(port: int, username: str) -> str | None:
    """Log in through the HTML form (csrf token and cookie) and return the Cookie header."""
    conn = Connection(HOST, port)
    sample, page, resp = conn.send(Request("GET", "/login/"))
    jar = _cookies(resp)
    marker = b'name="csrfmiddlewaretoken" value="'
    if sample.status != 200 or marker not in page or "csrftoken" not in jar:
        return None
    csrf = page.split(marker, 1)[1].split(b'"', 1)[0].decode()
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": csrf}).encode()
    sample, _, resp = conn.send(Request("POST", "/login/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}",
        "Referer": f"http://{HOST}:{port}/login/"}))
    jar.update(_cookies(resp))
    conn.close()
    if sample.status != 302 or "sessionid" not in jar:
        return None
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# --- one database size -----------------------------------------------------------------------------


def intake_requests(fx: dict, token: str):
    rng = random.Random(5)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    bodies = []
    for i in range(500):
        wo_type, title, text = rng.choice(INTAKE_TITLES)
        customer, asset = rng.choice(fx["customer_assets"])
        body = {"type": wo_type, "channel": rng.choice(["phone", "hotline_400", "online_chat"]),
                "category": rng.choice(fx["categories"][wo_type]), "title": title,
                "description": f"{text}（基准测试第{i}单）", "customer": customer, "asset": asset,
                "priority": rng.choice(["normal", "normal", "normal", "high"])}
        if wo_type == "complaint":
            body["complaint_level"] = 1
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return lambda i: Request("POST", "/api/v1/work-orders/", bodies[i % len(bodies)], headers)


def measure_size(n: int, args, redis: Redis | None) -> dict:
    have = setup(n)
    fx = db_step(n, "fixtures")
    log(f"size {size_label(n)}: {fx['orders']} orders, team queue holds {fx['team_open_orders']} open orders")
    extra = {"KEFU_DB_CONN_MAX_AGE": str(args.conn_max_age)}
    if redis:
        extra["KEFU_REDIS_URL"] = f"redis://{HOST}:{redis.port}/0"
    server = Gunicorn(n, workers=args.workers, threads=args.threads, extra_env=extra)
    phases = []
    common = {"host": HOST, "port": server.port, "gunicorn_pid": server.proc.pid}
    try:
        def run(**kw):
            result = run_phase(**common, **kw)
            log(f"  {result['name']:<12} c={result['clients']:<3} {result['rps']:>7} req/s  client p50/p95 "
                f"{result['client_p50_ms']}/{result['client_p95_ms']} ms  server p50/p95 "
                f"{result['server_p50_ms']}/{result['server_p95_ms']} ms  errors {result['errors']}")
            phases.append(result)

        ping = Request("GET", "/ping/")
        for c in args.clients:
            run(name="ping", make_request=lambda i: ping, clients=c, duration=args.duration,
                max_requests=args.max_requests, warmup=50)

        token = api_token(server.port, "supervisor")
        queue = Request("GET", queue_path(fx["team_id"]), headers={"Authorization": f"Token {token}"})
        run(name="queue_api", make_request=lambda i: queue, clients=1, duration=args.duration,
            max_requests=args.queue_requests, warmup=20)
        run(name="queue_api", make_request=lambda i: queue, clients=4, duration=args.duration,
            max_requests=args.queue_requests * 2, warmup=0)

        cookie = session_cookie(server.port, args.page_user)
        page = Request("GET", "/work-orders/?queue=team", headers={"Cookie": cookie or ""})
        if cookie and Connection(HOST, server.port).send(page)[0].status == 200:
            run(name="queue_page", make_request=lambda i: page, clients=1, duration=args.duration,
                max_requests=args.queue_requests, warmup=20)
            run(name="queue_page", make_request=lambda i: page, clients=4, duration=args.duration,
                max_requests=args.queue_requests * 2, warmup=0)
        else:
            log("  queue_page: /work-orders/?queue=team not measurable (no login or not HTTP 200)")

        intake = intake_requests(fx, api_token(server.port, "agent"))
        for c in args.clients:
            run(name="intake", make_request=intake, clients=c, duration=args.duration,
                max_requests=args.max_requests, warmup=5, expect_status=201)
    finally:
        server.stop()
    trimmed = db_step(n, "trim", "--above-id", str(fx["max_order_id"]))
    log(f"  removed the intake phases' orders ({trimmed['deleted']} rows incl. events)")
    return {"size": n, "label": size_label(n), "orders": have, "team_open_orders": fx["team_open_orders"],
            "queue_path": queue_path(fx["team_id"]), "page_user": args.page_user, "phases": phases,
            "ratios": ratios(phases)}


def queue_path(team_id: int) -> str:
    statuses = "&".join(f"status={s}" for s in ("new", "accepted", "dispatched", "in_progress", "on_hold"))
    return f"/api/v1/work-orders/?team={team_id}&{statuses}"


def _find(phases, name, clients):
    return next((p for p in phases if p["name"] == name and p["clients"] == clients), None)


def _div(a, b):
    return round(a / b, 4) if a is not None and b else None


def ratios(phases) -> dict:
    out = {}
    ping1 = _find(phases, "ping", 1)
    for name in ("queue_api", "queue_page"):
        q = _find(phases, name, 1)
        if q and ping1:
            out[f"{name}/ping server p95"] = _div(q["server_p95_ms"], ping1["server_p95_ms"])
            out[f"{name}/ping client p50"] = _div(q["client_p50_ms"], ping1["client_p50_ms"])
    for p in phases:
        if p["name"] == "intake":
            ping = _find(phases, "ping", p["clients"])
            if ping:
                out[f"intake/ping req/s c={p['clients']}"] = _div(p["rps"], ping["rps"])
    return out


# --- reporting -------------------------------------------------------------------------------------


def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "postgres": psql("show server_version"), "python": platform.python_version(),
            "kernel": platform.release()}


def markdown(report: dict) -> str:
    lines = [f"Run {report['started']} on {report['machine']['nproc']} cores, {report['machine']['ram_gb']} GB, "
             f"PostgreSQL {report['machine']['postgres']}; gunicorn {report['config']['workers']} worker(s) x "
             f"{report['config']['threads']} thread(s); {report['config']['duration']} s per phase.", ""]
    lines += ["| orders | phase | clients | req/s | client p50 | client p95 | server p50 | server p95 | errors |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size in report["sizes"]:
        for p in size["phases"]:
            lines.append(f"| {size['orders']:,} | {p['name']} | {p['clients']} | {p['rps']} | {p['client_p50_ms']} | "
                         f"{p['client_p95_ms']} | {p['server_p50_ms']} | {p['server_p95_ms']} | {p['errors']} |")
    lines += ["", "| orders | ratio | value |", "|---:|---|---:|"]
    for size in report["sizes"]:
        for k, v in size["ratios"].items():
            lines.append(f"| {size['orders']:,} | {k} | {v} |")
    return "\n".join(lines) + "\n"


def cmd_run(args):
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not (ROOT / "var" / "bench" / "staticfiles" / "staticfiles.json").exists():
        # The HTML page renders {% static %} through the manifest storage (KEFU_DEBUG=0).
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                       env=bench_env(args.sizes[0]), check=True)
    redis = Redis() if args.huey == "redis" and shutil.which("redis-server") else None
    report = {"started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
              "config": {"workers": args.workers, "threads": args.threads, "duration": args.duration,
                         "clients": args.clients, "queue_requests": args.queue_requests,
                         "conn_max_age": args.conn_max_age, "huey": "redis" if redis else "sqlite"},
              "sizes": []}
    try:
        for n in args.sizes:
            report["sizes"].append(measure_size(n, args, redis))
    finally:
        if redis:
            redis.stop()
    stem = RESULTS / f"{dt.date.today():%Y-%m-%d}-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    log(f"wrote {stem}.json and {stem}.md")


def cmd_explain(args):
    n = args.size
    setup(n)
    psql("analyze workorders_workorder", f"kefu_bench_{size_label(n)}")
    result = db_step(n, "explain", "--user", args.user)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"explain-{size_label(n)}.txt"
    parts = [f"-- {result['path']} as {result['user']}: {result['queries']} queries, count={result['count']}", ""]
    parts += ["-- all SQL of the request:"] + [f"{i}. {sql}" for i, sql in enumerate(result["all_sql"], 1)] + [""]
    for p in result["plans"]:
        parts += ["-- " + "=" * 90, p["sql"], "", p["plan"], ""]
    out.write_text("\n".join(parts))
    print("\n".join(parts))
    log(f"wrote {out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sizes = {"type": lambda s: [parse_size(x) for x in s.split(",")], "default": [10000, 100000, 1000000],
             "help": "database sizes in orders, e.g. 10k,100k,1m"}
    p = sub.add_parser("setup", help="create and fill the benchmark databases")
    p.add_argument("--sizes", **sizes)
    p = sub.add_parser("run", help="run every phase at every size")
    p.add_argument("--sizes", **sizes)
    p.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4, 16])
    p.add_argument("--duration", type=float, default=10, help="seconds per phase (bounded; default 10)")
    p.add_argument("--max-requests", type=int, default=20000, help="request cap per throughput phase")
    p.add_argument("--queue-requests", type=int, default=200, help="sequential queue requests (x2 at c=4)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--conn-max-age", type=int, default=60, help="KEFU_DB_CONN_MAX_AGE for gunicorn")
    p.add_argument("--huey", choices=["redis", "sqlite"], default="redis")
    p.add_argument("--page-user", default="tech", help="who opens /work-orders/?queue=team")
    p.add_argument("--label", default="run")
    p = sub.add_parser("explain", help="EXPLAIN ANALYZE the team-queue API's SQL")
    p.add_argument("--size", type=parse_size, default=1000000)
    p.add_argument("--user", default="supervisor")
    args = parser.parse_args(argv)
    if args.cmd == "setup":
        for n in args.sizes:
            setup(n)
    elif args.cmd == "run":
        cmd_run(args)
    else:
        cmd_explain(args)


if __name__ == "__main__":
    main()
