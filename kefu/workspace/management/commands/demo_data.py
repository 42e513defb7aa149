"""`manage.py demo_data --orders N`: the demo organisation and N work orders, loaded once."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from kefu.workorders.models import WorkOrder
from kefu.workspace import demo


class Command(BaseCommand):
    help = "Create the demo organisation, staff, customers and work orders (once; --append adds more orders)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=300)
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--append", action="store_true", help="Add orders even if some exist (benchmarks).")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--days", type=int, default=None,
                            help="Spread the orders over this many days (default: by count, ~1,400 a day).")
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=None,
                            help="Last day of the spread, YYYY-MM-DD (default: now); benchmarks use it to "
                                 "make one busy month.")
        parser.add_argument("--no-clocks", action="store_true",
                            help="Write no SLA clocks for the generated orders (benchmarks; their times are "
                                 "then drawn regardless of the SLA targets).")

    def handle(self, *args, orders, customers, append, seed, batch_size, days, end, no_clocks=False, **options):
        if demo.demo_org_present():
            self.stdout.write("demo organisation already present")
            # Databases made before customer archives existed get them once (idempotent).
            from kefu.customers.demo import create_demo_archives

            create_demo_archives()
        else:
            demo.create_demo_org(customers=customers)
            self.stdout.write(self.style.SUCCESS("demo organisation created"))
        if WorkOrder.objects.exists() and not append:
            self.stdout.write(f"{WorkOrder.objects.count()} work orders already present; nothing added")
            return

        def progress(done):
            if done % 50000 == 0 or done == orders:
                self.stdout.write(f"  {done}/{orders} work orders")

        end_at = None
        if end is not None:
            # The end of that day in the site's zone (the orders land up to 23:59 of `end`).
            end_at = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
        made = demo.generate_work_orders(count=orders, seed=seed, batch_size=batch_size, progress=progress,
                                         days=days, end=end_at, clocks=not no_clocks)
        self.stdout.write(self.style.SUCCESS(f"{made} work orders created"))
        # Today's orders through the real services: clocks, callbacks, ratings, then surveys, QA
        # samples and corrective actions, so the pages after the fix have something to show.
        from kefu.workspace.demo_loop import create_demo_follow_through, create_demo_loop

        if orders and not append:  # benchmarks (--orders 0, then --append) fill the database themselves
            live = create_demo_loop()
            follow = create_demo_follow_through()
            self.stdout.write(self.style.SUCCESS(f"{live} live orders through the callback loop; {follow}"))
        from kefu.knowledge.demo import (
            create_demo_knowledge,  # the search index of these orders, articles, replies
        )

        self.stdout.write(self.style.SUCCESS(create_demo_knowledge()))
        from kefu.channels.demo import (
            create_demo_channels,  # calls, WeChat messages, callbacks for missed calls
        )

        if orders and not append:
            self.stdout.write(self.style.SUCCESS(create_demo_channels()))

        from kefu.frontdesk.demo import create_demo_frontdesk  # fees, arrears and release passes at CH

        self.stdout.write(self.style.SUCCESS(create_demo_frontdesk()))

        from kefu.standards.demo import create_demo_standards  # the report pack, a site rule, the warnings

        self.stdout.write(self.style.SUCCESS(create_demo_standards()))

        if orders and not append:
            from kefu.notices.demo import (
                create_demo_notices,  # a sent water stop, a typhoon warning to approve
            )

            self.stdout.write(self.style.SUCCESS(create_demo_notices()))
