"""Generate (or recompute) a quarter's KPI scorecards: `manage.py kpi_generate [--year Y --quarter Q]`."""

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import ApplicationError
from kefu.kpi.selectors import current_quarter
from kefu.kpi.services import scorecard_generate_quarter


class Command(BaseCommand):
    help = "Generate the quarter's KPI scorecards from the period's records (drafts are recomputed)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, year=None, quarter=None, **options):
        this_year, this_quarter = current_quarter()
        try:
            cards = scorecard_generate_quarter(year=year or this_year, quarter=quarter or this_quarter)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{len(cards)} scorecards")
