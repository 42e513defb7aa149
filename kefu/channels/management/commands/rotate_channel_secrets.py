"""Re-encrypt every channel account's secrets with the first key of KEFU_CHANNEL_SECRET_KEYS (after
a new key was put first); then the old key can be removed from the setting."""

from django.core.management.base import BaseCommand
from django.db import transaction

from kefu.channels import crypto
from kefu.channels.models import ChannelAccount


class Command(BaseCommand):
    help = "Re-encrypt channel-account secrets with the current (first) key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for account in ChannelAccount.objects.select_for_update().exclude(secrets_encrypted=""):
                ChannelAccount.objects.filter(pk=account.pk).update(
                    secrets_encrypted=crypto.rotate(account.secrets_encrypted))
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} channel accounts re-encrypted"))
