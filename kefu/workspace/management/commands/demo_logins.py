"""Print the demo logins (after `demo_data`), for `make demo`."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kefu.org.models import Staff
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
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")
