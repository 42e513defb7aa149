"""Check or rebuild the per-order report facts (ADR 0008):
`manage.py report_facts --check [--days N] [--repair]` or `manage.py report_facts --rebuild`."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from kefu.reports.facts import order_facts_check, order_facts_rebuild
from kefu.workorders.models import WorkOrder


class Command(BaseCommand):
    help = ("Compare the report facts with the work orders, callbacks and ratings they are computed from "
            "(--check, optionally --repair), or recompute all of them (--rebuild).")

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="compare; exit status 1 when any differ")
        action.add_argument("--rebuild", action="store_true", help="recompute every order's facts")
        parser.add_argument("--repair", action="store_true", help="with --check: rewrite the rows that differ")
        parser.add_argument("--days", type=int, help="with --check: only orders received or resolved in the "
                                                     "last N days (default: all)")

    def handle(self, *args, check=False, rebuild=False, repair=False, days=None, **options):
        if rebuild:
            if repair or days is not None:
                raise CommandError("--repair and --days go with --check.")
            self.stdout.write(f"{order_facts_rebuild()} orders' facts written")
            return
        orders = WorkOrder.objects.all()
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            since = timezone.now() - dt.timedelta(days=days)
            orders = orders.filter(Q(received_at__gte=since) | Q(resolved_at__gte=since))
        result = order_facts_check(orders=orders, repair=repair)
        self.stdout.write(f"{result['checked']} checked, {result['missing']} missing, "
                          f"{result['different']} different" + (" (repaired)" if repair else ""))
        if result["order_ids"]:
            self.stdout.write("orders: " + ", ".join(str(pk) for pk in result["order_ids"]))
        if (result["missing"] or result["different"]) and not repair:
            raise SystemExit(1)
