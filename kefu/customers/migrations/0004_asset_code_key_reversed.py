from django.db import migrations, models


def fill(apps, schema_editor):
    Asset = apps.get_model("customers", "Asset")
    for asset in Asset.objects.filter(code_key_reversed="").exclude(code_key="").only("pk", "code_key").iterator():
        Asset.objects.filter(pk=asset.pk).update(code_key_reversed=asset.code_key[::-1])


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_seed_document_types")]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="code_key_reversed",
            field=models.CharField(db_index=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
