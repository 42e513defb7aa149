"""Keeping the search index in step with renamed customers and re-coded units (a cross-cutting
chore, hence signals: the customers app knows nothing of the search index above it).

A customer's name and a unit's code are part of every index row of their orders. When one changes,
those rows are rewritten in the same transaction. Bulk UPDATEs (an import's `bulk_update`) send no
signal: `manage.py search_index_rebuild` puts such rows right (docs/search.md).
"""

from django.db.models.signals import post_save, pre_save


def _remember_old(sender, instance, field: str, **kwargs):
    if instance.pk is None:
        instance._kefu_search_old = None
        return
    instance._kefu_search_old = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def customer_pre_save(sender, instance, **kwargs):
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "name" not in update_fields:
        instance._kefu_search_old = instance.name
        return
    _remember_old(sender, instance, "name")


def customer_post_save(sender, instance, created, **kwargs):
    from kefu.knowledge.index import search_index_refresh_customers

    if not created and getattr(instance, "_kefu_search_old", instance.name) != instance.name:
        search_index_refresh_customers(customer_ids=[instance.pk])


def asset_pre_save(sender, instance, **kwargs):
    _remember_old(sender, instance, "code")


def asset_post_save(sender, instance, created, **kwargs):
    from kefu.knowledge.index import search_index_refresh
    from kefu.workorders.models import WorkOrder

    if not created and getattr(instance, "_kefu_search_old", instance.code) != instance.code:
        search_index_refresh(order_ids=WorkOrder.objects.filter(asset_id=instance.pk).values_list("pk", flat=True))


def connect() -> None:
    from kefu.customers.models import Asset, Customer

    pre_save.connect(customer_pre_save, sender=Customer, dispatch_uid="kefu.knowledge.customer_pre_save")
    post_save.connect(customer_post_save, sender=Customer, dispatch_uid="kefu.knowledge.customer_post_save")
    pre_save.connect(asset_pre_save, sender=Asset, dispatch_uid="kefu.knowledge.asset_pre_save")
    post_save.connect(asset_post_save, sender=Asset, dispatch_uid="kefu.knowledge.asset_post_save")
