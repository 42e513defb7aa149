"""A whole Kefu site on this machine, as docs/deployment.md lays it out on several: nginx in front of
two gunicorn nodes (static files from nginx), two Huey consumers on Redis, PostgreSQL, and an SMTP
server that counts what the outbox sends. Used by bench/scaleout.py and bench/soak.py.

Every process listens on 127.0.0.1 only, on free ports. Each node runs in its own process group, so
"killing a node" (SIGKILL to the group) takes its master and workers down at once, as when a
machine dies. Nothing here outlives `Site.stop()`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import INTAKE_TITLES, PASSWORD, free_port, log  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python")
HOST = "127.0.0.1"
PG_SERVER = os.environ.get("KEFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
VAR = ROOT / "var" / "scaleout"


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(["psql", f"{PG_SERVER}/{db}", "-tAc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def site_env(db: str, redis_url: str, smtp_port: int, **extra) -> dict:
    env = dict(os.environ)
    env.update({
        "KEFU_DATABASE_URL": f"{PG_SERVER}/{db}",
        "KEFU_REDIS_URL": redis_url,
        "KEFU_CACHE_URL": redis_url,
        "KEFU_DEBUG": "0",
        "KEFU_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KEFU_VAR_DIR": str(VAR),
        "KEFU_DB_CONN_MAX_AGE": "60",
        "KEFU_EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        "KEFU_LOG_LEVEL": "WARNING",
        "KEFU_BEHIND_PROXY": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(ROOT / "var" / "pycache"),
    })
    env.update(extra)
    return env


def steps(db: str, *args: str) -> dict:
    env = site_env(db, "", 25)
    env.pop("KEFU_REDIS_URL")
    env.pop("KEFU_CACHE_URL")
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "scaleout_steps.py"), *args], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def db_fixtures(db: str) -> dict:
    env = site_env(db, "", 25)
    env.pop("KEFU_REDIS_URL")
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "db_steps.py"), "fixtures"], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_database(db: str, base: str) -> None:
    """`db` as a fresh copy of `base` (the demo organisation, migrated), built once and reused."""
    if psql(f"select 1 from pg_database where datname = '{base}'") != "1":
        log(f"building {base}: migrate + demo organisation (once, ~1–2 min)")
        psql(f"create database {base}")
        env = site_env(base, "", 25)
        env.pop("KEFU_REDIS_URL")
        env.pop("KEFU_CACHE_URL")
        subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "demo_data", "--orders", "0"], cwd=ROOT, env=env, check=True)
        steps(base, "prepare")
    psql(f"drop database if exists {db} with (force)")
    psql(f"create database {db} template {base}")


# --- the SMTP server that counts deliveries ----------------------------------------------------------

class SmtpSink:
    """aiosmtpd on a free port; keeps (to, subject) of every message it accepts."""

    def __init__(self):
        from email import message_from_bytes
        from email.header import decode_header, make_header

        from aiosmtpd.controller import Controller

        self.messages: list[dict] = []
        lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = message_from_bytes(envelope.content)
                subject = str(make_header(decode_header(msg.get("Subject", ""))))
                with lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.messages.append({"to": rcpt, "subject": subject, "at": time.time()})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


# --- processes -----------------------------------------------------------------------------------------

class Proc:
    """A process in its own process group, with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict, logdir: Path):
        self.name, self.cmd, self.env = name, cmd, env
        self.logfile = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log_fh = open(self.logfile, "a")  # noqa: SIM115 - the child keeps it
        log_fh.write(f"--- start {self.starts} at {dt.datetime.now():%H:%M:%S}\n")
        log_fh.flush()
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log_fh, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log_fh.close()

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            except ProcessLookupError:
                pass

    def pids(self) -> list[int]:
        """The group's processes (master first)."""
        if not self.proc or self.proc.poll() is not None:
            return []
        out = [self.proc.pid]
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != self.proc.pid:
                try:
                    if os.getpgid(int(name)) == self.proc.pid:
                        out.append(int(name))
                except OSError:
                    pass
        return out


def wait_http(port: int, path: str = "/ping/", timeout: float = 90.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not answer {path} within {timeout} s")


NGINX_CONF = """
daemon off;
worker_processes 1;
user root root;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{upstream}
    server {{
        listen {host}:{port};
{server}
    }}
}}
"""


def nginx_site(template: Path, **values) -> tuple[str, str]:
    """The upstream and server blocks of deploy/nginx/kefu.conf, for the local run (no TLS)."""
    text = template.read_text()
    upstream = text.split("# --- upstream ---", 1)[1].split("# --- end upstream ---", 1)[0]
    server = text.split("# --- locations ---", 1)[1].split("# --- end locations ---", 1)[0]
    for key, value in values.items():
        upstream = upstream.replace(f"@{key}@", str(value))
        server = server.replace(f"@{key}@", str(value))
    return upstream, server


class Site:
    """nginx + N gunicorn nodes + M Huey consumers on one database and one Redis database."""

    def __init__(self, *, db: str, redis_url: str, web_nodes: int = 2, web_workers: int = 2,
                 huey_nodes: int = 2, huey_workers: int = 2):
        self.tmp = Path(tempfile.mkdtemp(prefix="kefu-site-"))
        self.tmp.chmod(0o755)
        self.db, self.redis_url = db, redis_url
        self.smtp = SmtpSink()
        env = site_env(db, redis_url, self.smtp.port)
        self.env = env
        self.web = []
        for i in range(web_nodes):
            port = free_port()
            cmd = [str(VENV / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(web_workers),
                   "--threads", "1", "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning",
                   "--backlog", "512"]
            proc = Proc(f"web{i + 1}", cmd, env, self.tmp)
            proc.port = port
            self.web.append(proc)
        self.workers = [Proc(f"worker{i + 1}", [PYTHON, "manage.py", "run_huey", "--workers", str(huey_workers)],
                             env, self.tmp) for i in range(huey_nodes)]
        self.port = free_port()
        upstream, server = nginx_site(ROOT / "deploy" / "nginx" / "kefu.conf",
                                      WEB1=f"{HOST}:{self.web[0].port}",
                                      WEB2=f"{HOST}:{self.web[1].port}" if web_nodes > 1 else f"{HOST}:{self.web[0].port}",
                                      STATIC_ROOT=f"{VAR / 'staticfiles'}/")
        conf = NGINX_CONF.format(tmp=self.tmp, host=HOST, port=self.port, upstream=upstream, server=server)
        (self.tmp / "nginx.conf").write_text(conf)
        self.nginx = Proc("nginx", [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.tmp), "-c",
                                    str(self.tmp / "nginx.conf")], env, self.tmp)

    def start(self):
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=self.env, check=True)
        for proc in self.web + self.workers:
            proc.start()
        for proc in self.web:
            took = wait_http(proc.port)
            log(f"{proc.name} up on :{proc.port} ({took:.1f} s)")
        self.nginx.start()
        wait_http(self.port)
        log(f"nginx on :{self.port} → {', '.join(str(p.port) for p in self.web)}; "
            f"{len(self.workers)} Huey consumers on {self.redis_url}; SMTP on :{self.smtp.port}")

    def restart(self, proc: Proc) -> float:
        proc.start()
        if proc in self.web:
            return wait_http(proc.port)
        return 0.0

    def stop(self):
        for proc in [self.nginx, *self.web, *self.workers]:
            proc.stop()
        self.smtp.stop()

    def logs_dir(self) -> Path:
        return self.tmp


# --- load -------------------------------------------------------------------------------------------------

@dataclass
class Record:
    kind: str
    sent: float  # monotonic
    done: float
    status: int  # 0: no HTTP answer
    error: str = ""


@dataclass
class Load:
    """Open-loop load at fixed rates: requests are sent on schedule whatever the answers take."""

    port: int
    token: str
    fixtures: dict
    run_id: str
    backdate_share: float = 0.5
    records: list[Record] = field(default_factory=list)
    accepted_intakes: dict = field(default_factory=dict)
    failed_intakes: list = field(default_factory=list)
    accepted_transitions: list = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.Lock()
        self.ready: list[dict] = []  # orders waiting for their next transition
        self.seq = 0
        self.rng = random.Random(15)
        self.headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}

    def _send(self, method: str, path: str, body: dict | None = None, timeout: float = 30.0):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
            conn.request(method, path, body=data, headers=self.headers)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, raw
        finally:
            conn.close()

    def _record(self, kind, sent, status, error=""):
        with self.lock:
            self.records.append(Record(kind, sent, time.monotonic(), status, error))

    def intake(self):
        with self.lock:
            self.seq += 1
            seq = self.seq
        wo_type, title, text = self.rng.choice(INTAKE_TITLES[:5])  # repairs
        customer, asset = self.rng.choice(self.fixtures["customer_assets"])
        backdated = self.rng.random() < self.backdate_share
        body = {"type": wo_type, "channel": "walk_in" if backdated else "phone",
                "category": self.rng.choice(self.fixtures["categories"][wo_type]), "title": title,
                "description": f"{text} [load {self.run_id} #{seq}]", "customer": customer, "asset": asset,
                "priority": "normal"}
        if backdated:
            # A walk-in repair promises a first response in 3 minutes (24×7): received 170 s ago,
            # its warning is due at once and its breach 10 s later — SLA steps fire during the run.
            body["received_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=170)).isoformat()
        sent = time.monotonic()
        try:
            status, raw = self._send("POST", "/api/v1/work-orders/", body)
        except OSError as exc:
            self._record("intake", sent, 0, repr(exc))
            with self.lock:
                self.failed_intakes.append(seq)
            return
        self._record("intake", sent, status, "" if status == 201 else raw[:200].decode(errors="replace"))
        with self.lock:
            if status == 201:
                order = json.loads(raw)
                self.accepted_intakes[seq] = order["id"]
                if not backdated:
                    self.ready.append({"id": order["id"], "version": order["version"], "step": 0})
            else:
                self.failed_intakes.append(seq)

    STEPS = ("accept", "dispatch", "start", "resolve")

    def transition(self):
        with self.lock:
            if not self.ready:
                return
            order = self.ready.pop(0)
        action = self.STEPS[order["step"]]
        body = {"version": order["version"]}
        if action == "dispatch":
            body["team"] = self.fixtures["team_id"]
        elif action == "resolve":
            body["resolution"] = "已上门处理完毕。"
        sent = time.monotonic()
        try:
            status, raw = self._send("POST", f"/api/v1/work-orders/{order['id']}/actions/{action}/", body)
        except OSError as exc:
            self._record("transition", sent, 0, repr(exc))
            with self.lock:
                self.ready.append(order)  # try again later with the same version: never twice
            return
        ok = status == 200
        self._record("transition", sent, status, "" if ok or status == 409 else raw[:200].decode(errors="replace"))
        with self.lock:
            if ok:
                self.accepted_transitions.append((order["id"], action))
                data = json.loads(raw)
                order.update(version=data["version"], step=order["step"] + 1)
                if order["step"] < len(self.STEPS):
                    self.ready.append(order)
            elif status == 409 or status >= 500:
                # 409: it was done (answer lost) or the version moved; resync from the order.
                self.ready.append(self._resync(order))

    def _resync(self, order: dict) -> dict:
        try:
            status, raw = self._send("GET", f"/api/v1/work-orders/{order['id']}/")
            if status == 200:
                data = json.loads(raw)
                done = {"new": 0, "accepted": 1, "dispatched": 2, "in_progress": 3, "resolved": 4}
                order.update(version=data["version"], step=done.get(data["status"], order["step"]))
        except OSError:
            pass
        return order if order["step"] < len(self.STEPS) else {**order, "step": len(self.STEPS) - 1}

    def get(self, kind: str, path: str):
        sent = time.monotonic()
        try:
            status, raw = self._send("GET", path)
        except OSError as exc:
            self._record(kind, sent, 0, repr(exc))
            return
        self._record(kind, sent, status, "" if status == 200 else raw[:200].decode(errors="replace"))

    def run(self, *, duration: float, rates: dict, events: list | None = None, pool: int = 96) -> float:
        """Send each kind at its rate (req/s) for `duration` s; `events` are (at_s, fn) run on time.
        Returns the monotonic start."""
        actions = {"intake": self.intake, "transition": self.transition}
        start = time.monotonic()
        schedule = []
        for kind, rate in rates.items():
            if rate <= 0:
                continue
            n = int(duration * rate)
            schedule += [(i / rate, kind) for i in range(n)]
        schedule.sort()
        pending_events = sorted(events or [], key=lambda e: e[0])
        with ThreadPoolExecutor(max_workers=pool) as executor:
            for at, kind in schedule:
                while pending_events and pending_events[0][0] <= at:
                    ev_at, fn = pending_events.pop(0)
                    self._sleep_until(start + ev_at)
                    threading.Thread(target=fn, daemon=True).start()
                self._sleep_until(start + at)
                fn = actions.get(kind) or rates_get(kind, self)
                executor.submit(fn)
            for ev_at, fn in pending_events:
                self._sleep_until(start + ev_at)
                threading.Thread(target=fn, daemon=True).start()
        return start

    @staticmethod
    def _sleep_until(when: float):
        delay = when - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def client_json(self) -> dict:
        with self.lock:
            return {"run": self.run_id, "accepted_intakes": {str(k): v for k, v in self.accepted_intakes.items()},
                    "failed_intakes": list(self.failed_intakes),
                    "accepted_transitions": list(self.accepted_transitions)}


def rates_get(kind: str, load: Load):
    """GET kinds of the soak: the team queue, an order's page data, the dashboard."""
    if kind == "queue":
        statuses = "&".join(f"status={s}" for s in ("new", "accepted", "dispatched", "in_progress"))
        return lambda: load.get("queue", f"/api/v1/work-orders/?team={load.fixtures['team_id']}&{statuses}")
    if kind == "detail":
        def detail():
            with load.lock:
                ids = list(load.accepted_intakes.values())[-50:]
            if ids:
                load.get("detail", f"/api/v1/work-orders/{load.rng.choice(ids)}/")
        return detail
    if kind == "static":
        return lambda: load.get("static", "/static/css/kefu.css")
    raise ValueError(kind)


def api_token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"token for {username}: HTTP {resp.status} {data[:200]!r}")
    return json.loads(data)["token"]


def error_windows(records: list[Record], kills: list[tuple[str, float]], t0: float, *, before: float = 2.0,
                  after: float = 30.0) -> tuple[list[dict], list[Record]]:
    """For each kill (name, monotonic time): the failed requests whose answer came from `before` s
    before it to `after` s after it, and how long clients kept seeing errors — from the first failed
    answer to the last. Failures outside every window are returned apart (a run should have none)."""
    bad = [r for r in records if not (r.status in (200, 201) or (r.kind == "transition" and r.status == 409))]
    windows, claimed = [], set()
    for name, at in kills:
        mine = [r for r in bad if at - before <= r.done <= at + after]  # when the client saw it
        claimed.update(id(r) for r in mine)
        windows.append({
            "kill": name, "at_s": round(at - t0, 2), "errors": len(mine),
            "span_s": round(max(r.done for r in mine) - min(r.done for r in mine), 3) if mine else 0.0,
            "first_error_after_kill_s": round(min(r.done for r in mine) - at, 3) if mine else None,
            "kinds": sorted({f"{r.kind}:{r.status or r.error[:60]}" for r in mine})})
    return windows, [r for r in bad if id(r) not in claimed]


def latency(records: list[Record], kind: str) -> dict:
    from loadgen import percentile

    ms = [(r.done - r.sent) * 1000 for r in records if r.kind == kind and r.status in (200, 201)]
    return {"p50_ms": round(percentile(ms, 50) or 0, 1), "p95_ms": round(percentile(ms, 95) or 0, 1),
            "max_ms": round(max(ms, default=0), 1)}
