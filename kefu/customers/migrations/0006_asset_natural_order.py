"""Assets sort in the natural order of their codes (unit 101 before 1001): a digits-only sort key
(`kefu.customers.codes.asset_sort_key`) filled for the existing rows, and an index for the lists."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from kefu.customers.codes import asset_sort_key

    Asset = apps.get_model("customers", "Asset")
    batch = []
    for asset in Asset.objects.only("pk", "code").iterator(chunk_size=2000):
        asset.code_sort = asset_sort_key(asset.code)
        batch.append(asset)
        if len(batch) == 2000:
            Asset.objects.bulk_update(batch, ["code_sort"])
            batch = []
    Asset.objects.bulk_update(batch, ["code_sort"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_customer_name_reversed")]

    operations = [
        migrations.AlterModelOptions(
            name="asset",
            options={"ordering": ["code_sort", "id"], "verbose_name": "asset", "verbose_name_plural": "assets"},
        ),
        migrations.AddField(
            model_name="asset",
            name="code_sort",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(fields=["code_sort", "id"], name="asset_natural_order_idx"),
        ),
    ]
