"""The scale-out and soak runs' steps that need Django (run as a separate process, like db_steps.py).

    python bench/scaleout_steps.py prepare                  staff get an email address and email for every event
    python bench/scaleout_steps.py mark                     the highest ids before a run (JSON)
    python bench/scaleout_steps.py settled --above-id N     what the workers still owe (JSON)
    python bench/scaleout_steps.py verify --above-id N --since ISO --client FILE --smtp FILE
                                                            the exactly-once checks (JSON)

KEFU_DATABASE_URL selects the database, as for manage.py.
"""

import argparse
import collections
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu.notifications.choices import OutboundEvent  # noqa: E402
from kefu.notifications.models import Notification, OutboundMessage  # noqa: E402
from kefu.notifications.selectors import recipients_for_event  # noqa: E402
from kefu.notifications.services import notification_preference_update  # noqa: E402
from kefu.org.models import Staff  # noqa: E402
from kefu.sla.models import Escalation, SlaClock  # noqa: E402
from kefu.workorders.models import WorkOrder, WorkOrderEvent  # noqa: E402

MARKER = re.compile(r"\[load (\w+) #(\d+)\]")
TRANSITIONS = ("accept", "dispatch", "start", "resolve")


def prepare() -> dict:
    """Every active staff member is told by email about every event (so the run's dispatches and
    escalations go through the outbox and the SMTP server), at a test address."""
    users = 0
    User = get_user_model()
    for staff in Staff.objects.filter(is_active=True).select_related("user"):
        user = staff.user
        if not user.email:
            User.objects.filter(pk=user.pk).update(email=f"{user.username}@kefu.test")
        notification_preference_update(user=user, email_enabled=True, email_actions=list(OutboundEvent.values),
                                       sms_enabled=False, wechat_enabled=False)
        users += 1
    return {"staff_with_email": users}


def mark() -> dict:
    return {"max_order_id": WorkOrder.objects.aggregate(m=Max("pk"))["m"] or 0,
            "max_event_id": WorkOrderEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            "max_message_id": OutboundMessage.objects.aggregate(m=Max("pk"))["m"] or 0,
            "now": timezone.now().isoformat()}


def settled(above_id: int, above_message: int) -> dict:
    """Work the workers still owe for the run's orders: SLA steps due (a sweep runs every minute)
    and outbox messages due."""
    now = timezone.now()
    clocks = SlaClock.objects.filter(work_order_id__gt=above_id, stopped_at=None, paused_at=None,
                                     next_step_at__lte=now)
    messages = OutboundMessage.objects.filter(pk__gt=above_message, state=OutboundMessage.State.PENDING,
                                              next_attempt_at__lte=now)
    return {"due_steps": clocks.count(), "due_messages": messages.count(),
            "pending_messages": OutboundMessage.objects.filter(pk__gt=above_message,
                                                               state=OutboundMessage.State.PENDING).count()}


def verify(above_id: int, above_event: int, above_message: int, client_file: str, smtp_file: str) -> dict:
    client = json.loads(Path(client_file).read_text())
    delivered = json.loads(Path(smtp_file).read_text())
    report: dict = {}

    # --- orders: every accepted intake exactly once --------------------------------------------------
    by_marker = collections.defaultdict(list)
    orders = list(WorkOrder.objects.filter(pk__gt=above_id).values("pk", "description", "version", "status"))
    for order in orders:
        match = MARKER.search(order["description"])
        if match and match.group(1) == client["run"]:
            by_marker[int(match.group(2))].append(order["pk"])
    accepted = {int(seq): oid for seq, oid in client["accepted_intakes"].items()}
    refused = {int(seq) for seq in client["failed_intakes"]}
    report["orders"] = {
        "in_database": len(orders),
        "accepted_by_clients": len(accepted),
        "accepted_missing": sum(1 for seq, oid in accepted.items() if by_marker.get(seq) != [oid]),
        "duplicates": sum(1 for ids in by_marker.values() if len(ids) > 1),
        "unanswered_requests": len(refused),
        "unanswered_but_written": sum(1 for seq in refused if seq in by_marker),
        "without_a_request": sum(1 for seq in by_marker if seq not in accepted and seq not in refused),
    }

    # --- transitions: each done once, each the client saw done is there ---------------------------------
    counts = collections.Counter(
        WorkOrderEvent.objects.filter(work_order_id__gt=above_id, action__in=TRANSITIONS)
        .values_list("work_order_id", "action"))
    seen_ok = collections.Counter((int(o), a) for o, a in client["accepted_transitions"])
    report["transitions"] = {
        "events": sum(counts.values()),
        "accepted_by_clients": sum(seen_ok.values()),
        "accepted_missing": sum(1 for key in seen_ok if counts.get(key, 0) != 1),
        "duplicates": sum(1 for n in counts.values() if n > 1),
        "accepted_twice_by_clients": sum(1 for n in seen_ok.values() if n > 1),
    }

    # --- SLA: every step that came due fired once ----------------------------------------------------------
    clocks = list(SlaClock.objects.filter(work_order_id__gt=above_id).values("pk", "next_step", "next_step_at",
                                                                              "stopped_at", "paused_at"))
    steps = collections.defaultdict(list)
    for clock_id, step in Escalation.objects.filter(clock__work_order_id__gt=above_id).values_list(
            "clock_id", "step"):
        steps[clock_id].append(step)
    escalate_events = WorkOrderEvent.objects.filter(work_order_id__gt=above_id, action="escalate").count()
    now = timezone.now()
    report["sla"] = {
        "clocks": len(clocks),
        "steps_fired": sum(len(s) for s in steps.values()),
        "escalate_events": escalate_events,
        # Steps 0 … next_step-1 have fired, each once, and nothing else.
        "clocks_with_wrong_steps": sum(1 for c in clocks if sorted(steps.get(c["pk"], [])) != list(range(c["next_step"]))),
        "duplicate_steps": sum(len(s) - len(set(s)) for s in steps.values()),
        "due_but_not_fired": sum(1 for c in clocks if c["stopped_at"] is None and c["paused_at"] is None
                                 and c["next_step_at"] is not None and c["next_step_at"] <= now - dt.timedelta(seconds=65)),
    }

    # --- notifications: every event that tells someone did ---------------------------------------------
    missing_notices = extra_notices = 0
    events = WorkOrderEvent.objects.filter(pk__gt=above_event, work_order_id__gt=above_id).select_related(
        "work_order__team", "work_order__intake_department")
    have = collections.defaultdict(set)
    for event_id, recipient in Notification.objects.filter(event_id__gt=above_event).values_list("event_id", "recipient_id"):
        have[event_id].add(recipient)
    active = set(get_user_model().objects.filter(is_active=True).values_list("pk", flat=True))
    expected_total = 0
    for event in events:
        expected = recipients_for_event(event) & active
        expected_total += len(expected)
        missing_notices += len(expected - have[event.pk])
        extra_notices += len(have[event.pk] - expected)
    report["notifications"] = {"expected": expected_total, "missing": missing_notices, "unexpected": extra_notices}

    # --- outbox: every message sent once ------------------------------------------------------------------
    rows = list(OutboundMessage.objects.filter(pk__gt=above_message, channel="email").values_list(
        "to_address", "subject", "state"))
    states = collections.Counter(state for _, _, state in rows)
    sent = collections.Counter((to, subject) for to, subject, state in rows if state == OutboundMessage.State.SENT)
    received = collections.Counter((m["to"], m["subject"]) for m in delivered)
    report["outbox"] = {
        "messages": len(rows), "states": dict(states),
        "received_by_smtp": sum(received.values()),
        "sent_not_received": sum(max(0, n - received.get(k, 0)) for k, n in sent.items()),
        "received_more_than_once": sum(max(0, n - 1) for n in received.values()),
        "received_not_sent": sum(max(0, n - sent.get(k, 0)) for k, n in received.items()),
    }
    report["ok"] = (report["orders"]["accepted_missing"] == 0 and report["orders"]["duplicates"] == 0
                    and report["transitions"]["accepted_missing"] == 0 and report["transitions"]["duplicates"] == 0
                    and report["sla"]["clocks_with_wrong_steps"] == 0 and report["sla"]["duplicate_steps"] == 0
                    and report["sla"]["due_but_not_fired"] == 0
                    and report["sla"]["escalate_events"] == report["sla"]["steps_fired"]
                    and report["outbox"]["sent_not_received"] == 0
                    and report["outbox"]["received_more_than_once"] == 0
                    and report["outbox"]["received_not_sent"] == 0
                    and states.get(OutboundMessage.State.PENDING, 0) == 0)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("prepare")
    sub.add_parser("mark")
    p = sub.add_parser("settled")
    p.add_argument("--above-id", type=int, required=True)
    p.add_argument("--above-message", type=int, required=True)
    p = sub.add_parser("verify")
    p.add_argument("--above-id", type=int, required=True)
    p.add_argument("--above-event", type=int, required=True)
    p.add_argument("--above-message", type=int, required=True)
    p.add_argument("--client", required=True)
    p.add_argument("--smtp", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "prepare":
        out = prepare()
    elif args.cmd == "mark":
        out = mark()
    elif args.cmd == "settled":
        out = settled(args.above_id, args.above_message)
    else:
        out = verify(args.above_id, args.above_event, args.above_message, args.client, args.smtp)
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
