"""The real background worker: a Huey consumer process on Redis runs the SLA sweep."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from kefu.sla.models import Escalation
from kefu.workorders.tests.factories import make_work_order

REDIS_URL = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[3]


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
    client.flushdb()
    return client


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_consumer_on_redis_runs_the_sweep(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the consumer process needs a database it can share: PostgreSQL")
    _redis_or_skip()
    # given an order whose clocks ran out days ago
    order = make_work_order(actor=cast["agent"], type="repair", priority="normal",
                            received_at=timezone.now() - timedelta(days=10))
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
           f"{settings['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "KEFU_DATABASE_URL": url,
           "KEFU_REDIS_URL": REDIS_URL, "KEFU_HUEY_IMMEDIATE": "0"}
    consumer = subprocess.Popen([sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # when the sweep task is enqueued on Redis by another process
        subprocess.run([sys.executable, "manage.py", "shell", "-c",
                        "from kefu.sla.tasks import sla_sweep_task; sla_sweep_task()"],
                       cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
        # then the consumer fires the escalation ladder of the order's clocks
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not Escalation.objects.filter(clock__work_order=order).exists():
            time.sleep(0.3)
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=20)[0].decode("utf-8", "replace")
    fired = Escalation.objects.filter(clock__work_order=order)
    assert fired.exists(), output[-2000:]
    assert fired.filter(step=0).count() == fired.values("clock").distinct().count()
