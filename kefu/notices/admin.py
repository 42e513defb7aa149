"""Admin: notices read-only (they change only through the workflow), with their history."""

from django.contrib import admin

from kefu.notices.models import Notice, NoticeEvent


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "created_at", "from_status", "to_status", "body"]
    exclude = ["data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "recipients", "send_at", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Notice._meta.fields]
    inlines = [NoticeEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
