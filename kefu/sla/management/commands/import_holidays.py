"""`manage.py import_holidays FILE.csv`: load a year's holidays and make-up workdays.

CSV header `date,kind,name`; kind is `holiday` (day off) or `workday` (make-up workday, 调休),
or 休/班. Replaces the arrangement of every year in the file, all-or-nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import InvalidInput
from kefu.sla.services import holidays_import_csv


class Command(BaseCommand):
    help = "Import holidays and make-up workdays from a CSV file (date,kind,name)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file}: no such file")
        try:
            result = holidays_import_csv(content=path.read_bytes(), source=f"import {path.name}")
        except InvalidInput as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        self.stdout.write(self.style.SUCCESS(f"imported {result['days']} days for {result['years']}"))
