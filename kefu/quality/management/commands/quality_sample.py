"""Draw a week's QA sample by hand: `manage.py quality_sample [--week YYYY-MM-DD] [--per-agent N]`.

Without --week it samples last week (what the Monday task does). Re-running is safe: agents
already sampled for the week are skipped, and the draw is the same every time.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.core.errors import ApplicationError
from kefu.quality.services import qa_sample_week
from kefu.quality.tasks import last_week_start


class Command(BaseCommand):
    help = "Draw the weekly QA sample of each agent's work orders."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="any day of the week to sample (default: last week)")
        parser.add_argument("--per-agent", type=int, default=None, help="orders per agent (default: QA settings)")

    def handle(self, *args, week=None, per_agent=None, **options):
        try:
            day = date.fromisoformat(week) if week else last_week_start(timezone.localdate())
        except ValueError:
            raise CommandError(f"--week: not a date: {week}") from None
        try:
            checks = qa_sample_week(week_start=day, per_agent=per_agent)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{len(checks)} QA checks sampled")
