from django.contrib import admin

from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone, Site


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0
    fields = ["number", "label", "is_primary"]
    readonly_fields = ["number"]


class AssetLinkInline(admin.TabularInline):
    model = CustomerAsset
    extra = 0
    autocomplete_fields = ["asset"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tier", "created_at"]
    search_fields = ["name", "name_initials", "phones__number"]
    list_filter = ["kind", "tier"]
    inlines = [PhoneInline, AssetLinkInline]
    readonly_fields = ["name_initials"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "unit_count"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["site", "code", "name"]
    list_filter = ["site"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "site", "building", "floor"]
    list_filter = ["kind", "site"]
    search_fields = ["code", "name"]
