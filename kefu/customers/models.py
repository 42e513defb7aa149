"""Customers and what they are served at: sites, buildings and assets (units, accounts, products).

This is the foundation's minimal archive; the customer-archive issue deepens it in place.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel
from kefu.customers.choices import AssetKind, AssetRelation, CustomerKind, CustomerTier


class Site(models.Model):
    """A project/estate/building complex (项目/小区/大厦) or a service area; has its time zone."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    unit_count = models.PositiveIntegerField(_("number of units"), default=0)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]

    def __str__(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Building(models.Model):
    """A building of a site."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="buildings")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="uniq_building_code_per_site")]

    def __str__(self):
        return f"{self.site.name} {self.name}"


class Asset(models.Model):
    """What a customer is served at: a unit in a building, a service account or a product.

    `code` is the natural key agents type (unit `A-1203`, account number, serial/VIN).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="assets")
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assets")
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["code"]

    def __str__(self):
        return self.code if not self.name else f"{self.code} {self.name}"


class Customer(TimeStampedModel):
    """A person or organisation served by the center, with phones and assets."""

    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    # Lower-case pinyin initials ("zs" for 张三) so agents can type Latin letters to find a name.
    name_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    tier = models.CharField(_("tier"), max_length=16, choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    assets = models.ManyToManyField(Asset, through="CustomerAsset", related_name="customers", blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        permissions = [("view_personal_data", _("Can see unmasked phone and ID numbers"))]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self):
        return self.name


class CustomerPhone(models.Model):
    """One phone number of a customer, normalised (see `customers.phones`) and indexed both ways.

    `number_reversed` lets a lookup by the last digits (尾号) use an index as well.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=32)
    number_reversed = models.CharField(max_length=32, editable=False)
    raw = models.CharField(_("as entered"), max_length=40, blank=True)
    label = models.CharField(_("label"), max_length=32, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        indexes = [
            models.Index(fields=["number"], name="customer_phone_number_idx"),
            models.Index(fields=["number_reversed"], name="customer_phone_rev_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="uniq_phone_per_customer"),
        ]

    def __str__(self):
        return self.number


class CustomerAsset(models.Model):
    """A customer's relation to an asset (owner, tenant, …), open while `ended_on` is empty."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="customer_links")
    relation = models.CharField(_("relation"), max_length=16, choices=AssetRelation.choices,
                                default=AssetRelation.OWNER)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer asset")
        verbose_name_plural = _("customer assets")
        constraints = [
            models.UniqueConstraint(fields=["customer", "asset"], condition=Q(ended_on=None),
                                    name="uniq_open_customer_asset"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.relation} {self.asset_id}"
