"""Admin for the category tree and tags; work orders are read-only here (changes go through
the work-order service, so that every change writes an event)."""

from django.contrib import admin

from kefu.workorders.models import Category, Tag, WorkOrder, WorkOrderEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "industry", "parent", "types", "sort_order", "is_active"]
    list_filter = ["industry", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "from_status", "to_status", "body", "internal"]
    readonly_fields = fields  # type: ignore[assignment]  # the same plain field names as `fields`

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "type", "status", "title", "team", "assignee", "received_at"]
    list_filter = ["status", "type", "channel"]
    search_fields = ["number"]
    list_select_related = ["team", "assignee"]
    show_full_result_count = False
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
