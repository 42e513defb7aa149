from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kefu.customers.models import (
    ArchiveDocument,
    ArchiveFile,
    Asset,
    Building,
    Customer,
    CustomerAsset,
    CustomerContact,
    CustomerPhone,
    DocumentType,
    Site,
)


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0
    fields = ["number", "label", "is_primary"]
    readonly_fields = ["number"]


class ContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 0


class AssetLinkInline(admin.TabularInline):
    model = CustomerAsset
    extra = 0
    autocomplete_fields = ["asset"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "tier", "created_at", "deleted_at"]
    search_fields = ["name", "name_initials", "phones__number"]
    list_filter = ["kind", "tier"]
    inlines = [PhoneInline, ContactInline, AssetLinkInline]
    # Identity numbers are validated by the services (API/pages); the admin shows them only.
    readonly_fields = ["name_initials", "id_type", "id_number", "credit_code", "deleted_at", "deleted_by",
                       "erased_at"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "timezone", "unit_count"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["site", "code", "name"]
    list_filter = ["site"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "site", "building", "floor", "unit_status"]
    list_filter = ["kind", "site", "unit_status"]
    search_fields = ["code", "name"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "scope", "required", "valid_months", "sort_order", "is_active"]
    list_filter = ["scope", "required", "is_active"]
    list_editable = ["required", "valid_months", "sort_order", "is_active"]


class ArchiveFileInline(admin.TabularInline):
    model = ArchiveFile
    extra = 0
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    can_delete = False


@admin.register(ArchiveDocument)
class ArchiveDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["document_type", "asset", "customer", "status", "expires_on", "updated_by", "updated_at"]
    list_filter = ["status", "document_type"]
    raw_id_fields = ["asset", "customer"]
    inlines = [ArchiveFileInline]
