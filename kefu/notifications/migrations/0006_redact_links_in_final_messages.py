"""Links already sitting in the outbox: a customer's rating link (/callbacks/rate/<token>/) or
survey link (/surveys/r/<token>/, /surveys/b/<token>/) is removed from every row that is final
(sent, logged, failed), and a row still pending gets the text to keep once it is sent.

Rows written before 0005 carry no language: the placeholder is Chinese when the text has Chinese
characters, else English. The text around the link is kept. There is no way back.
"""

import re

from django.db import migrations
from django.db.models import Q

# An optional scheme, host and path prefix (KEFU_PUBLIC_BASE_URL), then the public path and its
# token (URL-safe base64: rating tokens, survey selector + verifier, pre-0009 survey tokens).
LINK = re.compile(r"(?:https?://[A-Za-z0-9.\-:\[\]@]+(?:/[A-Za-z0-9._~%!$&'()*+,;=:@\-]+)*?)?"
                  r"/(?:callbacks/rate|surveys/[rb])/[A-Za-z0-9_\-]+/?")
CHINESE = re.compile(r"[\u3400-\u9fff]")
FINAL = ("sent", "logged", "failed")
BATCH = 500


def redact(text: str) -> str:
    """`text` with every rating or survey link replaced by the placeholder."""
    placeholder = "[链接已隐去]" if CHINESE.search(text) else "[link removed]"
    return LINK.sub(placeholder, text)


def redact_links(apps, schema_editor):
    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    candidates = (OutboundMessage.objects
                  .filter(Q(body__contains="/callbacks/rate/") | Q(body__contains="/surveys/r/")
                          | Q(body__contains="/surveys/b/"))
                  .filter(Q(state__in=FINAL) | Q(redacted_body=None)).order_by("pk"))
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for message in batch:
            redacted = redact(message.body)
            if redacted == message.body:
                continue
            if message.state in FINAL:
                message.body = redacted
            message.redacted_body = redacted
            changed.append(message)
        OutboundMessage.objects.bulk_update(changed, ["body", "redacted_body"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0005_add_outboundmessage_redacted_body"),
    ]

    operations = [
        migrations.RunPython(redact_links, migrations.RunPython.noop),
    ]
