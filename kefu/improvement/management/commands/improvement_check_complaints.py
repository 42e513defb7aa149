"""Propose corrective actions for categories with repeated complaints in a month (the worker runs
it on the 1st for the month before; this is for cron, back-filling and tests)."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.improvement.services import corrective_action_propose_repeated_complaints
from kefu.improvement.tasks import previous_month


class Command(BaseCommand):
    help = "Propose a corrective action notice per category with ≥ N complaints in the month; prints their numbers."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the previous calendar month)")

    def handle(self, *args, month=None, **options):
        if month:
            match = re.fullmatch(r"(\d{4})-(\d{2})", month)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise CommandError(f"--month: expected YYYY-MM, got {month}")
            year, number = int(match.group(1)), int(match.group(2))
        else:
            year, number = previous_month(timezone.localdate())
        notices = corrective_action_propose_repeated_complaints(year=year, month=number)
        for notice in notices:
            self.stdout.write(f"{notice.number} {notice.title}")
        self.stdout.write(f"{len(notices)}")
