"""The fourteen standards with the seed's defaults (kefu.standards.registry)."""

from django.db import migrations


def seed(apps, schema_editor):
    from kefu.standards.registry import DEFINITIONS, ORDER, default_parameters

    Standard = apps.get_model("standards", "Standard")
    for position, code in enumerate(ORDER):
        definition = DEFINITIONS[code]
        Standard.objects.update_or_create(code=code, defaults={
            "parameters": default_parameters(code), "target": definition.target,
            "warn_roles": list(definition.warn_roles), "position": position})


def unseed(apps, schema_editor):
    apps.get_model("standards", "Standard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_create_register")]
    operations = [migrations.RunPython(seed, unseed)]
