"""Print the demo logins (after `demo_data`), for `make demo`."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kefu.core.errors import ApplicationError
from kefu.customers.models import CustomerAsset
from kefu.org.models import Staff
from kefu.portal.services import clean_phone
from kefu.workspace.demo import DEMO_PASSWORD, STAFF


class Command(BaseCommand):
    help = "Print the demo staff logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, host: str, port: str, **options: Any) -> None:
        names = [s[0] for s in STAFF]
        staff = {s.user.username: s for s in Staff.objects.select_related("user", "role", "department")
                 .filter(user__username__in=names)}
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Kefu is starting on http://{host}:{port}/  (API docs: /api/docs/)"))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        for username in names:
            s = staff.get(username)
            if s:
                self.stdout.write(f"  {username:<14} {s.role.code:<14} {s.display_name} · {s.department.name}")
        self._portal(host, port)
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")

    def _portal(self, host: str, port: str) -> None:
        """The customer portal and a demo resident to sign in as (a customer with a unit and a
        mobile number); the SMS code is logged by the worker (log-only SMS) and in the outbox."""
        self.stdout.write(f"Customer portal (phones): http://{host}:{port}/m/  ·  QR codes: /m/qr-codes/")
        links = (CustomerAsset.objects.filter(ended_on__isnull=True, asset__kind="unit",
                                              customer__deleted_at__isnull=True)
                 .select_related("customer", "asset").prefetch_related("customer__phones").order_by("id")[:50])
        for link in links:
            for phone in link.customer.phones.all():
                try:
                    number = clean_phone(phone.number)
                except ApplicationError:  # a landline: codes go by SMS only
                    continue
                self.stdout.write(f"  portal resident {number} · {link.customer.name} · {link.asset.code} "
                                  "(the code is in the worker's log and the admin's outbox)")
                return
