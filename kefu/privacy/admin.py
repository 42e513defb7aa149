from django.contrib import admin

from kefu.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "customer_label", "field", "reason"]
    list_filter = ["action", "field"]
    search_fields = ["customer_label", "reason", "actor__username"]
    date_hierarchy = "created_at"

    # An audit trail: written by the services only, never edited or deleted by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
