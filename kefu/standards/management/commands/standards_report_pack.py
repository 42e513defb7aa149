"""Schedule the sources' default report pack for a new center (kefu.standards.services.REPORT_PACK):
`manage.py standards_report_pack --owner <username> [--fallback-recipient address]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kefu.standards.services import report_pack_seed


class Command(BaseCommand):
    help = "Schedule the default report pack (weekly, monthly, quarterly and annual reports) for a new center."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="username whose visibility the reports use")
        parser.add_argument("--fallback-recipient", default="", help="address used when no staff of a role has one")

    def handle(self, *args, owner, fallback_recipient, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"no user {owner}")
        created = report_pack_seed(owner=user, fallback_recipient=fallback_recipient)
        self.stdout.write(f"{len(created)} schedules created")
