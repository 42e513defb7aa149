"""Survey links are no longer stored (ADR 0009).

Every invitation and building code gets a random `selector` (its link is rebuilt from it with a key
derived from SECRET_KEY) and keeps only the sha256 of its old token in `legacy_token_hash`, so the
links already sent and the QR codes already posted still open; the plain `token` column goes.

Going back writes each row's current link (selector + verifier) into `token`: the links sent after
this migration keep working, those issued before it (known only by their hash) do not.
"""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

import kefu.surveys.tokens

BATCH = 1000
# A frozen copy of kefu.surveys.tokens as of this migration (key names and lengths).
KINDS = {"Invitation": "kefu.surveys.invitation-link", "BuildingCode": "kefu.surveys.building-link"}


def hash_legacy_tokens(apps, schema_editor):
    """Give each row a selector and replace its plain token by the token's sha256."""
    for model_name in KINDS:
        model = apps.get_model("surveys", model_name)
        rows = []
        for row in model.objects.filter(selector__isnull=True).only("pk", "token").iterator(chunk_size=BATCH):
            row.selector = secrets.token_urlsafe(9)
            row.legacy_token_hash = hashlib.sha256(row.token.encode("utf-8")).hexdigest()
            row.token = None  # cleared, not only dropped: DROP COLUMN leaves values in the pages
            rows.append(row)
        model.objects.bulk_update(rows, ["selector", "legacy_token_hash", "token"], batch_size=BATCH)


def write_current_tokens(apps, schema_editor):
    """Backwards: store each row's current link as its plain token again."""
    for model_name, kind in KINDS.items():
        model = apps.get_model("surveys", model_name)
        rows = []
        for row in model.objects.only("pk", "selector").iterator(chunk_size=BATCH):
            digest = salted_hmac(kind, row.selector, secret=settings.SECRET_KEY, algorithm="sha256").digest()
            row.token = row.selector + base64.urlsafe_b64encode(digest[:12]).decode("ascii")
            rows.append(row)
        model.objects.bulk_update(rows, ["token"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_campaign_tag_population'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='selector',
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name='invitation',
            name='legacy_token_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='buildingcode',
            name='selector',
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name='buildingcode',
            name='legacy_token_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='token',
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='buildingcode',
            name='token',
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(hash_legacy_tokens, write_current_tokens),
        migrations.AlterField(
            model_name='invitation',
            name='selector',
            field=models.CharField(default=kefu.surveys.tokens.new_selector, editable=False, max_length=16,
                                   unique=True),
        ),
        migrations.AlterField(
            model_name='buildingcode',
            name='selector',
            field=models.CharField(default=kefu.surveys.tokens.new_selector, editable=False, max_length=16,
                                   unique=True),
        ),
        migrations.RemoveField(
            model_name='invitation',
            name='token',
        ),
        migrations.RemoveField(
            model_name='buildingcode',
            name='token',
        ),
    ]
