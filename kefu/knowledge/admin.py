"""Admin: the sites' service phones are edited here; articles and canned replies are read-only
(they change through the services, which keep their history and versions)."""

from django.contrib import admin

from kefu.knowledge.models import Article, ArticleEvent, CannedReply, SiteServicePhone


@admin.register(SiteServicePhone)
class SiteServicePhoneAdmin(admin.ModelAdmin):
    list_display = ["site", "phone"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArticleEventInline(admin.TabularInline):
    model = ArticleEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "actor", "created_at", "from_status", "to_status", "revision", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "category", "scope_department", "revision", "helpful_yes", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [ArticleEventInline]


@admin.register(CannedReply)
class CannedReplyAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "macro", "is_active", "updated_at"]
    list_filter = ["macro", "is_active"]
