"""Run the overdue corrective-action sweep once (the worker runs it hourly)."""

from django.core.management.base import BaseCommand

from kefu.improvement.services import corrective_action_escalate_overdue


class Command(BaseCommand):
    help = "Fire every due escalation step of overdue corrective action notices; prints how many fired."

    def handle(self, *args, **options):
        self.stdout.write(str(corrective_action_escalate_overdue()))
