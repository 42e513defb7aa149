"""Customers and what they are served at: sites, buildings and assets (units, accounts, products),
the occupancy of units, and the archives (档案) kept per unit and per customer.

Customers, phones, occupancies and archive documents keep a change history (django-simple-history):
who changed what, when, old → new.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.core.i18n import localised
from kefu.core.models import TimeStampedModel
from kefu.customers.choices import (
    AccountStatus,
    AssetKind,
    AssetRelation,
    CustomerKind,
    CustomerTier,
    DocumentScope,
    DocumentStatus,
    Gender,
    IdType,
    UnitStatus,
    UnitUse,
)
from kefu.customers.codes import SORT_KEY_LENGTH, asset_code_key, asset_sort_key


class Site(models.Model):
    """A project/estate/building complex (项目/小区/大厦) or a service area; has its time zone."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    unit_count = models.PositiveIntegerField(_("number of units"), default=0)
    # Whose staff see this site's occupants (with department-scoped roles): the department and
    # everything below it, and its ancestors. Empty: a site shared by everyone.
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="customer_sites")

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]

    def __str__(self):
        return localised(self.name, self.name_en)


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

    `code` is the natural key agents type (unit `3-2-1201`, account number, serial/VIN);
    `code_key` its normalised form ("3栋2单元1201" → "3-2-1201") that the lookup searches.
    Unit fields (area, use, status), account fields (lines, plan, status) and product fields
    (model, sale date, warranty) are empty for the other kinds.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    code = models.CharField(_("code"), max_length=64, unique=True)
    code_key = models.CharField(max_length=64, db_index=True, editable=False, default="")
    # Reversed, so "3-2-1201" (or "3栋2单元1201") also finds unit "CH-3-2-1201" by an indexed prefix.
    code_key_reversed = models.CharField(max_length=64, db_index=True, editable=False, default="")
    # The natural order of codes (unit 101 before 1001): lists of units sort by it (`asset_sort_key`).
    code_sort = models.CharField(max_length=SORT_KEY_LENGTH, editable=False, default="")
    name = models.CharField(_("name"), max_length=200, blank=True)
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="assets")
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assets")
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("use"), max_length=16, choices=UnitUse.choices, blank=True)
    unit_status = models.CharField(_("unit status"), max_length=16, choices=UnitStatus.choices, blank=True)
    lines = models.CharField(_("lines"), max_length=200, blank=True)
    plan = models.CharField(_("plan"), max_length=100, blank=True)
    account_status = models.CharField(_("account status"), max_length=16, choices=AccountStatus.choices,
                                      blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    sale_date = models.DateField(_("sale date"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["code_sort", "id"]
        indexes = [models.Index(fields=["code_sort", "id"], name="asset_natural_order_idx")]

    def __str__(self):
        return self.code if not self.name else f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # Derived from `code`, so every writer (services, admin, factories) keeps it in step.
        self.code_key = asset_code_key(self.code)
        self.code_key_reversed = self.code_key[::-1]
        self.code_sort = asset_sort_key(self.code)
        if kwargs.get("update_fields") is not None and "code" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "code_key", "code_key_reversed", "code_sort"}
        super().save(*args, **kwargs)


class Customer(TimeStampedModel):
    """A person or organisation served by the center, with phones, contacts and assets.

    Personal fields (ID number, address, emergency contact) are shown masked to roles without
    `view_personal_data`. `deleted_at` hides a customer from every lookup (soft delete, kept for
    the retention period); `erased_at` marks a customer whose personal fields were blanked on a
    PIPL deletion request (`services.customer_erase`).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    # Lower-case pinyin initials ("zs" for 张三) so agents can type Latin letters to find a name.
    name_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    # Reversed, so a given name typed alone ("小三" of 李小三) is an indexed prefix match.
    name_reversed = models.CharField(max_length=100, blank=True, db_index=True, editable=False, default="")
    tier = models.CharField(_("tier"), max_length=16, choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    assets: "models.ManyToManyField[Asset, CustomerAsset]" = models.ManyToManyField(Asset, through="CustomerAsset", related_name="customers", blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True, db_index=True)
    # Reversed so that a lookup by the last digits of the ID (尾号) is an indexed prefix match.
    id_number_reversed = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=100, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Owning department for customers without a unit (e.g. a telecom account holder): scopes
    # visibility like a site's department. Empty: visible as far as the customer's units allow.
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deleted by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["name_initials", "name_reversed", "id_number_reversed",
                                                 "updated_at"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        permissions = [("view_personal_data", _("Can see unmasked phone and ID numbers"))]
        indexes = [
            models.Index(fields=["name"], name="customer_name_idx"),
            # LIKE 'prefix%' on PostgreSQL needs a pattern_ops index (ignored on SQLite).
            models.Index(fields=["name"], name="customer_name_like_idx", opclasses=["varchar_pattern_ops"]),
        ]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

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
    history = HistoricalRecords(excluded_fields=["number_reversed"])

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        indexes = [
            models.Index(fields=["number"], name="customer_phone_number_idx"),
            models.Index(fields=["number_reversed"], name="customer_phone_rev_idx"),
        ]
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="uniq_phone_per_customer"),
        ]

    def __str__(self):
        return self.number


class CustomerAsset(models.Model):
    """A customer's relation to an asset (owner, tenant, …): for a unit, its occupancy from move-in
    (`started_on`) to move-out (`ended_on`); open while `ended_on` is empty."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="customer_links")
    relation = models.CharField(_("relation"), max_length=16, choices=AssetRelation.choices,
                                default=AssetRelation.OWNER)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer asset")
        verbose_name_plural = _("customer assets")
        constraints = [
            models.UniqueConstraint(fields=["customer", "asset"], condition=Q(ended_on=None),
                                    name="uniq_open_customer_asset"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.relation} {self.asset_id}"


class CustomerContact(models.Model):
    """A contact person of an organisation customer (or a further contact of a person)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["id"]

    def __str__(self):
        return self.name


class DocumentType(models.Model):
    """A kind of document an archive should hold (move-in sign-off, ID copies, …), configurable in
    the admin. `required` types count towards completeness; `valid_months` makes a document
    expire that long after it was issued (empty: never)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    scope = models.CharField(_("archive"), max_length=16, choices=DocumentScope.choices,
                             default=DocumentScope.UNIT)
    required = models.BooleanField(_("required"), default=True)
    valid_months = models.PositiveSmallIntegerField(_("valid for (months)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["scope", "sort_order", "code"]

    def __str__(self):
        return localised(self.name, self.name_en)


class ArchiveDocument(models.Model):
    """One document of a unit's or a customer's archive: its state (present or missing), when it
    expires, and who last changed it; the files themselves are `ArchiveFile` rows."""

    document_type = models.ForeignKey(DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT,
                                      related_name="documents")
    asset = models.ForeignKey(Asset, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="archive_documents")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="archive_documents")
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices,
                              default=DocumentStatus.MISSING)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        constraints = [
            models.UniqueConstraint(fields=["document_type", "asset"], condition=Q(asset__isnull=False),
                                    name="uniq_archive_document_per_unit"),
            models.UniqueConstraint(fields=["document_type", "customer"], condition=Q(customer__isnull=False),
                                    name="uniq_archive_document_per_customer"),
            models.CheckConstraint(condition=Q(asset__isnull=False) ^ Q(customer__isnull=False),
                                   name="archive_document_one_owner"),
        ]
        indexes = [models.Index(fields=["asset", "status"], name="archive_doc_asset_idx")]

    def __str__(self):
        return f"{self.document_type_id}:{self.asset_id or self.customer_id}"

    def effective_status(self, today) -> str:
        if self.status == DocumentStatus.PRESENT and self.expires_on is not None and self.expires_on < today:
            return DocumentStatus.EXPIRED
        return self.status


class ArchiveFile(models.Model):
    """An uploaded scan or photo of an archive document (content-sniffed, size-limited)."""

    document = models.ForeignKey(ArchiveDocument, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="archives/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("archive file")
        verbose_name_plural = _("archive files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.original_name
