"""Draw callback samples: `manage.py callbacks_sample [--rule ID] [--period-start YYYY-MM-DD]`.

Without options, the last ended period of every active sample rule (what the hourly task does).
A period already drawn is reported, not drawn again.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kefu.callbacks.models import CallbackRule
from kefu.callbacks.services import callback_sampling_run, callback_sampling_run_due
from kefu.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Draw the callback sample of ended periods (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--rule", type=int, help="id of one sample rule")
        parser.add_argument("--period-start", type=date.fromisoformat,
                            help="a day in the period to draw (YYYY-MM-DD); default: the last ended period")

    def handle(self, *args, rule=None, period_start=None, **options):
        try:
            if rule is None and period_start is None:
                runs = callback_sampling_run_due()
            else:
                rules = CallbackRule.objects.filter(pk=rule) if rule else CallbackRule.objects.filter(
                    is_active=True, mode="sample")
                if rule and not rules.exists():
                    raise CommandError(f"no callback rule {rule}")
                if period_start is None:
                    raise CommandError("--period-start is required with --rule")
                runs = [callback_sampling_run(rule=r, period_start=period_start) for r in rules]
        except ApplicationError as error:
            raise CommandError(error.message) from None
        for run in runs:
            self.stdout.write(f"{run.rule.name}: {run.period_start:%Y-%m-%d} population={run.population} "
                              f"selected={run.selected} onsite={run.onsite} actual={run.actual_percent}% "
                              f"(target {run.sample_percent}%) seed={run.seed}")
