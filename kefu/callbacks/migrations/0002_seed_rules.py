"""Default callback rules (DOMAIN.md): every complaint and repair is called back; the alternative
standard (10% of complaints, at least 30% of those on site with signature) ships inactive."""

from decimal import Decimal

from django.db import migrations

RULES = [
    {"name": "投诉与报修全部回访", "precedence": 100, "is_active": True, "types": ["complaint", "repair"],
     "mode": "all", "sample_percent": Decimal("100"), "onsite_percent": Decimal("0")},
    {"name": "投诉抽样回访 10%（30% 上门签字）", "precedence": 50, "is_active": False, "types": ["complaint"],
     "mode": "sample", "sample_percent": Decimal("10"), "onsite_percent": Decimal("30")},
]


def seed(apps, schema_editor):
    CallbackRule = apps.get_model("callbacks", "CallbackRule")
    for row in RULES:
        CallbackRule.objects.get_or_create(name=row["name"], defaults=row)


def unseed(apps, schema_editor):
    CallbackRule = apps.get_model("callbacks", "CallbackRule")
    CallbackRule.objects.filter(name__in=[r["name"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0001_create_callbacks")]
    operations = [migrations.RunPython(seed, unseed)]
