"""A small closed-loop HTTP load generator: N threads, one connection each, standard library only.

Each client thread sends its next request as soon as the previous answer is read (closed loop),
so requests/s is what the server sustains at that concurrency. Every response's
`Server-Timing: app;dur=<ms>` header (kefu.core.middleware.ServerTimingMiddleware) is recorded
beside the client-side latency, which separates time in Django from time in gunicorn, the socket
and this client. Keep-alive is used when the server offers it; gunicorn's sync workers close the
connection after each response, so the client reconnects (included in client latency).
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import threading
import time
from dataclasses import dataclass, field

_SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sample:
    status: int
    client_ms: float
    server_ms: float | None


class Connection:
    """One client's connection to the server, reopened whenever the server closes it."""

    def __init__(self, host: str, port: int, timeout: float = 60.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def send(self, req: Request) -> tuple[Sample, bytes, http.client.HTTPResponse]:
        start = time.perf_counter()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(req.method, req.path, body=req.body, headers=req.headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        elapsed = (time.perf_counter() - start) * 1000
        if resp.will_close:
            self.close()
        match = _SERVER_TIMING.search(resp.getheader("Server-Timing") or "")
        return Sample(resp.status, elapsed, float(match.group(1)) if match else None), data, resp

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- CPU accounting (Linux /proc), to tell which process limits throughput --------------------

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _postgres_pids() -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm", encoding="ascii") as fh:
                    if fh.read().strip() == "postgres":
                        pids.append(int(name))
            except OSError:
                pass
    return pids


def _machine_busy() -> tuple[float, float]:
    with open("/proc/stat", encoding="ascii") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / _CLK_TCK, sum(parts) / _CLK_TCK


class CpuMeter:
    """CPU seconds used by the gunicorn workers, PostgreSQL and this process during a phase."""

    def __init__(self, gunicorn_pid: int | None):
        self.gunicorn_pid = gunicorn_pid

    def _snapshot(self) -> dict:
        busy, total = _machine_busy()
        web = _children(self.gunicorn_pid) if self.gunicorn_pid else []
        return {"web": {p: _proc_cpu(p) for p in web}, "postgres": {p: _proc_cpu(p) for p in _postgres_pids()},
                "client": time.process_time(), "busy": busy, "total": total}

    def __enter__(self):
        self.before = self._snapshot()
        return self

    def __exit__(self, *exc):
        after = self._snapshot()
        # Per process, so a backend that exits during the phase cannot make the sum negative
        # (its last slice is lost; PostgreSQL counts every database on the server).
        self.used = {k: sum(max(0.0, cpu - self.before[k].get(pid, 0.0)) for pid, cpu in after[k].items())
                     for k in ("web", "postgres")}
        self.used["client"] = after["client"] - self.before["client"]
        span = after["total"] - self.before["total"]
        self.used["machine_busy_pct"] = 100 * (after["busy"] - self.before["busy"]) / span if span else 0.0
        return False


# --- one load phase --------------------------------------------------------------------------


def run_phase(*, name: str, host: str, port: int, make_request, clients: int, duration: float,
              max_requests: int, warmup: int = 0, gunicorn_pid: int | None = None,
              expect_status: int = 200) -> dict:
    """Run `clients` threads until `duration` seconds pass or `max_requests` are sent.

    `make_request(i)` returns the i-th Request (i counts across all threads). `warmup`
    requests are sent first, sequentially, and not recorded.
    """
    warm = Connection(host, port)
    for i in range(warmup):
        sample, body, _ = warm.send(make_request(-1 - i))
        if sample.status != expect_status:
            raise RuntimeError(f"{name}: warm-up got HTTP {sample.status}: {body[:300]!r}")
    warm.close()

    counter = itertools.count()
    samples: list[Sample] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker():
        conn = Connection(host, port)
        mine: list[Sample] = []
        barrier.wait()
        while True:
            i = next(counter)
            if i >= max_requests or time.perf_counter() >= deadline[0]:
                break
            try:
                sample, body, _ = conn.send(make_request(i))
            except OSError as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                continue
            if sample.status != expect_status and len(errors) < 20:
                with lock:
                    errors.append(f"HTTP {sample.status}: {body[:200]!r}")
            mine.append(sample)
        conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    with CpuMeter(gunicorn_pid) as cpu:
        deadline[0] = time.perf_counter() + duration
        start = time.perf_counter()
        barrier.wait()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start

    ok = [s for s in samples if s.status == expect_status]
    client = [s.client_ms for s in ok]
    server = [s.server_ms for s in ok if s.server_ms is not None]
    return {
        "name": name, "clients": clients, "requests": len(samples), "ok": len(ok),
        "errors": len(samples) - len(ok) + sum(1 for e in errors if not e.startswith("HTTP")),
        "error_examples": errors[:3], "seconds": round(elapsed, 2),
        "rps": round(len(ok) / elapsed, 1) if elapsed else 0.0,
        "client_p50_ms": _r(percentile(client, 50)), "client_p95_ms": _r(percentile(client, 95)),
        "client_p99_ms": _r(percentile(client, 99)),
        "server_p50_ms": _r(percentile(server, 50)), "server_p95_ms": _r(percentile(server, 95)),
        "server_p99_ms": _r(percentile(server, 99)),
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.used.items()},
    }


def _r(value):
    return None if value is None else round(value, 2)
