"""Admin: the settings row is edited here; notices are read-only (they change through the gate)."""

from django.contrib import admin

from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent, ImprovementSettings


@admin.register(ImprovementSettings)
class ImprovementSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "repeat_complaint_threshold", "proposals_enabled", "escalate_manager_after_days",
                    "escalate_director_after_days"]

    def has_add_permission(self, request):
        return not ImprovementSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CorrectiveActionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "created_at", "from_status", "to_status", "body", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "source", "responsible_department", "owner", "due_date"]
    list_filter = ["status", "source"]
    search_fields = ["number", "title", "reference"]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
