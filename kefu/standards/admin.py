from django.contrib import admin

from kefu.standards.models import Standard, StandardRule, StandardRuleEvent, StandardWarning


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("code", "target", "is_active", "position")
    list_editable = ("is_active",)


@admin.register(StandardRule)
class StandardRuleAdmin(admin.ModelAdmin):
    list_display = ("standard", "site", "department", "target", "updated_by", "updated_at")
    readonly_fields = ("standard", "site", "department", "parameters", "target", "version", "updated_by", "updated_at")

    def has_add_permission(self, request):
        return False  # through the board's rule form (recorded), not here


@admin.register(StandardRuleEvent)
class StandardRuleEventAdmin(admin.ModelAdmin):
    list_display = ("standard", "site", "department", "action", "actor", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(StandardWarning)
class StandardWarningAdmin(admin.ModelAdmin):
    list_display = ("standard", "key", "role", "created_at", "recipients")
