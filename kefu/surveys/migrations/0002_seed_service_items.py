"""Seed the usual service items of a property service center (idempotent: safe to re-apply)."""

from django.db import migrations

ITEMS = [
    ("customer_service", "客户服务", "Customer service"),
    ("security", "安全秩序", "Security"),
    ("cleaning", "保洁服务", "Cleaning"),
    ("greenery", "绿化养护", "Greenery"),
    ("repairs", "维修服务", "Repairs"),
]


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("surveys", "ServiceItem")
    for position, (code, name, name_en) in enumerate(ITEMS, start=1):
        ServiceItem.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                               "position": position})


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_create_surveys")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
