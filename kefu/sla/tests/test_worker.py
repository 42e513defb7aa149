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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeper_processes_fire_each_step_of_10000_clocks_exactly_once(cast, tmp_path):
    """The acceptance example: two processes sweep the same 10,000 overdue clocks at once."""
    if connection.vendor != "postgresql":
        pytest.skip("two processes sharing one database need PostgreSQL")
    from kefu.sla.models import SlaClock, SlaPolicy, WorkCalendar
    from kefu.workorders.models import WorkOrder, WorkOrderEvent

    # given 10,000 running clocks (one per order) whose warning and breach steps are both due
    calendar = WorkCalendar.objects.get(always_open=True)
    policy = SlaPolicy.objects.get(is_default=True)
    now = timezone.now().replace(microsecond=0)
    template = make_work_order(actor=cast["agent"], type="repair", priority="normal")
    orders = WorkOrder.objects.bulk_create([
        WorkOrder(number=f"T{i:07d}", title=template.title, description=template.description, type="repair",
                  channel=template.channel, category=template.category, priority="normal", status="accepted",
                  customer=template.customer, received_at=now, first_contact_owner=template.first_contact_owner,
                  intake_department=template.intake_department, updated_at=now)
        for i in range(10_000)])
    due = now - timedelta(hours=1)
    SlaClock.objects.bulk_create([
        SlaClock(work_order=o, kind="resolution", policy=policy, calendar=calendar, business=False,
                 target_minutes=60, started_at=due - timedelta(hours=1), due_at=due,
                 warn_at=due - timedelta(minutes=12), next_step=0, next_step_at=due - timedelta(minutes=12))
        for o in orders], batch_size=2000)
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
           f"{settings['NAME']}")
    # Notifications are queued to a throwaway Huey file: this test is about the claim, not delivery.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "KEFU_DATABASE_URL": url,
           "KEFU_HUEY_IMMEDIATE": "0", "KEFU_VAR_DIR": str(tmp_path), "KEFU_REDIS_URL": ""}
    # when two sweeper processes start together
    sweepers = [subprocess.Popen([sys.executable, "manage.py", "sla_sweep", "--now", now.isoformat()], cwd=ROOT,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    results = [s.communicate(timeout=300) for s in sweepers]
    assert [s.returncode for s in sweepers] == [0, 0], [err[-2000:] for _out, err in results]
    fired = [int(out.strip()) for out, _err in results]
    # then each of the 20,000 due steps (warning and breach of 10,000 clocks) fired exactly once
    ours = Escalation.objects.filter(clock__work_order__in=orders)
    assert sum(fired) == ours.count() == 20_000
    assert ours.values("clock", "step").distinct().count() == 20_000
    assert WorkOrderEvent.objects.filter(work_order__in=orders, action="escalate").count() == 20_000
    assert min(fired) > 0, fired  # SKIP LOCKED: the second process took a share instead of waiting
