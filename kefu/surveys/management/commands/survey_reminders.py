from django.core.management.base import BaseCommand

from kefu.surveys.services import reminders_send


class Command(BaseCommand):
    help = "Queue survey reminders for non-respondents of open campaigns (through the outbox)."

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder(s) queued")
