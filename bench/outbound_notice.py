"""A notice to many occupants, sent by two worker processes to a local Alibaba Cloud SMS server
that checks every signature; one worker is killed with SIGKILL mid-send and restarted.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_outbound_bench \\
        .venv/bin/python bench/outbound_notice.py --recipients 10000

Prints (and writes to bench/results/) the expansion time, the messages per second handed to the
provider server, /ping/ requests per second in the same process for the ratio, and whether every
recipient got the notice exactly once. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["KEFU_SMS_QUIET_HOURS"] = ""  # the bench may run at night
os.environ.setdefault("KEFU_OUTBOX_LEASE_SECONDS", "10")


def account(url: str) -> dict:
    return {"sms": {"provider": "aliyun", "access_key_id": "LTAIbench", "access_key_secret": "bench-secret",
                    "sign_name": "金桂物业", "endpoint": url + "/", "templates": {"notice": "SMS_NOTICE"}}}


def worker() -> None:
    """Deliver until nothing is pending (a crashed sibling's rows come back after the lease)."""
    import django

    django.setup()
    from kefu.notifications.models import OutboundMessage
    from kefu.notifications.services import outbox_deliver

    while OutboundMessage.objects.filter(state="pending").exists():
        if not sum(outbox_deliver(limit=200).values()):
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--kill-after", type=float, default=0.5,
                        help="seconds after a quarter is sent before one worker is SIGKILLed")
    parser.add_argument("worker", nargs="?")
    args = parser.parse_args()
    if args.worker == "worker":
        worker()
        return

    from kefu.notifications.tests.provider_servers import AliyunServer

    server = AliyunServer(keys={"LTAIbench": "bench-secret"}, sign_names={"金桂物业"},
                          templates={"SMS_NOTICE": ("title", "body")}).start()
    server.balance = 10 ** 9
    os.environ["KEFU_OUTBOUND_ACCOUNTS"] = json.dumps(account(server.url))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone, Site
    from kefu.notices.models import Notice, NoticeRecipient
    from kefu.notices.services import notice_create, notice_expand_chunk, notice_transition
    from kefu.notifications.models import OutboundMessage

    # a clean slate for the bench's own rows
    NoticeRecipient.objects.all().delete()
    Notice.objects.all().delete()
    OutboundMessage.objects.all().delete()
    site, _ = Site.objects.get_or_create(code="BENCH", defaults={"name": "基准小区"})
    building, _ = Building.objects.get_or_create(site=site, code="B1", defaults={"name": "1栋"})
    have = CustomerAsset.objects.filter(asset__building=building, ended_on=None).count()
    if have < args.recipients:
        n0 = Asset.objects.filter(building=building).count()
        units = Asset.objects.bulk_create([Asset(kind="unit", code=f"BENCH-{n0 + i}", site=site, building=building,
                                                 floor=1) for i in range(args.recipients - have)])
        customers = Customer.objects.bulk_create([Customer(name=f"业主{n0 + i}") for i in range(len(units))])
        CustomerPhone.objects.bulk_create([CustomerPhone(customer=c, number=f"13{(n0 + i):09d}",
                                                         number_reversed=f"13{(n0 + i):09d}"[::-1], is_primary=True)
                                           for i, c in enumerate(customers)])
        CustomerAsset.objects.bulk_create([CustomerAsset(customer=c, asset=u) for c, u in zip(customers, units, strict=True)])
    admin = get_user_model().objects.filter(is_superuser=True).first() or \
        get_user_model().objects.create_superuser("bench-admin", "bench@example.com", "x")

    client = Client()
    for _ in range(20):  # warm-up: the first requests import the URL conf and templates
        client.get("/ping/", HTTP_HOST="127.0.0.1")
    started = time.perf_counter()
    pings = 0
    while time.perf_counter() - started < 3:
        client.get("/ping/", HTTP_HOST="127.0.0.1")
        pings += 1
    ping_rps = pings / (time.perf_counter() - started)

    notice = notice_create(actor_user=admin, title="停水通知", body="12月8日9:00-12:00停水，请提前储水。",
                           channels=["sms"], target={"buildings": [building.pk]})
    for action in ("submit", "approve", "send"):
        notice = notice_transition(notice=notice, action=action, actor_user=admin)
    started = time.perf_counter()
    while notice_expand_chunk(notice_id=notice.pk):
        pass
    expand_seconds = time.perf_counter() - started
    queued = OutboundMessage.objects.filter(state="pending").count()
    connection.close()

    env = {**os.environ}
    command = [sys.executable, __file__, "worker"]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, env=env) for _ in range(2)]
    while len(server.sent) < queued // 4:  # a quarter through: kill one worker mid-send
        time.sleep(0.05)
    time.sleep(args.kill_after)
    sent_at_kill = len(server.sent)
    kill_stamp = time.perf_counter()
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].wait()
    workers[0] = subprocess.Popen(command, env=env)
    for process in workers:
        process.wait()
    seconds = time.perf_counter() - started
    phones = [s["PhoneNumbers"] for s in server.sent]
    stamps = sorted(server.stamps)
    # the steady rate: from the first to the last message handed over before the kill
    steady = [t for t in stamps if t <= kill_stamp]
    result = {
        "recipients": queued, "expand_seconds": round(expand_seconds, 2),
        "send_seconds_with_startup_kill_and_lease": round(seconds, 2),
        "messages_per_second": round((len(steady) - 1) / (steady[-1] - steady[0]), 1),
        "messages_per_second_overall": round(len(phones) / (stamps[-1] - stamps[0]), 1),
        "sent_before_kill": sent_at_kill, "sent_total": len(phones), "distinct_numbers": len(set(phones)),
        "exactly_once": len(phones) == len(set(phones)) == queued,
        "states": dict(OutboundMessage.objects.values_list("state").annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).values_list("state", "n")),
        "ping_rps_in_process": round(ping_rps, 1), "database": connection.vendor,
    }
    result["ratio_to_ping"] = round(result["messages_per_second"] / ping_rps, 3)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"{time.strftime('%Y-%m-%d', time.gmtime())}-outbound-notice.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    server.stop()


if __name__ == "__main__":
    main()
