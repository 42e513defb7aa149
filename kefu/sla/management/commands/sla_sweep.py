"""Run the SLA sweep once (the worker runs it every minute; this is for cron, tests and incidents)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from kefu.sla.services import sla_sweep


class Command(BaseCommand):
    help = "Fire every due SLA warning and escalation step once; prints how many fired."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="sweep as of this ISO 8601 instant with offset (default: now)")
        parser.add_argument("--chunk", type=int, default=200, help="steps per transaction")

    def handle(self, *args, now=None, chunk=200, **options):
        at = None
        if now:
            try:
                at = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: not an ISO 8601 instant: {now}") from None
            if at.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-23T10:00:00+08:00")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        self.stdout.write(str(sla_sweep(now=at, chunk=chunk)))
