"""Callback targets after resolution (DOMAIN.md: every complaint and repair is called back).

Complaints within one business day, repairs within two days (on the policy's own calendar), walk-in
requests within one business day; inquiries and business changes have no callback target.
"""

from django.db import migrations

# policy name prefix -> (minutes, business)
TARGETS = {
    "投诉 ": (480, True),
    "来访三分钟 ": (480, True),
    "急修 ": (2 * 24 * 60, False),
    "高优先级报修 ": (2 * 24 * 60, False),
    "一般报修 ": (2 * 480, True),
    "低优先级报修 ": (2 * 480, True),
}


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for policy in SlaPolicy.objects.filter(callback_minutes__isnull=True):
        for prefix, (minutes, business) in TARGETS.items():
            if policy.name.startswith(prefix):
                policy.callback_minutes, policy.callback_business = minutes, business
                policy.save(update_fields=["callback_minutes", "callback_business"])


def unseed(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_callback_clock")]
    operations = [migrations.RunPython(seed, unseed)]
