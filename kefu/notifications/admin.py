"""Admin: message templates per kind and language (with a preview), customer opt-outs, and the
outbox read-only (what was sent, to whom, with which status)."""

from django.contrib import admin

from kefu.notifications.models import CustomerMessageOptOut, MessageTemplate, OutboundMessage
from kefu.notifications.sms import sms_parts
from kefu.notifications.templates_text import VARIABLES, substitute


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "language", "is_active", "preview", "parts"]
    list_filter = ["kind", "language", "is_active"]

    @admin.display(description="preview")
    def preview(self, obj: MessageTemplate) -> str:
        return substitute(obj.text, {name: f"<{name}>" for name in VARIABLES.get(obj.kind, ())})

    @admin.display(description="SMS parts")
    def parts(self, obj: MessageTemplate) -> int:
        return sms_parts(self.preview(obj))


@admin.register(CustomerMessageOptOut)
class CustomerMessageOptOutAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["customer"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "state", "provider", "attempts", "created_at", "sent_at", "reason"]
    list_filter = ["state", "channel", "kind", "provider"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    exclude = ["body", "redacted_body", "params", "to_address"]  # personal data and links stay out of the admin

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
