from django.contrib import admin

from kefu.callbacks.models import Callback, CallbackAttempt, CallbackRule, RatingLink, SamplingRun


@admin.register(CallbackRule)
class CallbackRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "precedence", "is_active", "mode", "sample_percent", "onsite_percent", "period",
                    "max_attempts", "auto_close", "callback_team"]
    list_filter = ["is_active", "mode"]
    list_editable = ["precedence", "is_active"]


@admin.register(SamplingRun)
class SamplingRunAdmin(admin.ModelAdmin):
    list_display = ["rule", "period_start", "population", "selected", "onsite", "actual_percent", "seed"]
    list_filter = ["rule"]

    # Draws are records of what happened: made by the service only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    fields = ["method", "attempted_at", "reached", "outcome", "solved", "comment", "recorded_by"]
    readonly_fields = fields


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    """Read-only: callbacks change through their service (attempts, reopen through the gate)."""

    list_display = ["id", "work_order", "customer", "source", "status", "due_at", "on_site_required",
                    "attempts_count", "outcome"]
    list_filter = ["status", "source", "on_site_required"]
    raw_id_fields = ["work_order", "customer"]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatingLink)
class RatingLinkAdmin(admin.ModelAdmin):
    list_display = ["work_order", "channel", "created_at", "expires_at", "used_at", "speed", "attitude", "quality"]
    exclude = ["token_hash"]
    raw_id_fields = ["work_order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
