"""Admin for channel accounts: secrets are entered in a password field and never shown again
(the form keeps the stored secret when the field is left empty)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.channels.models import Call, ChannelAccount, InboundItem, PollState, SuggestionRound


class ChannelAccountForm(forms.ModelForm):
    secret = forms.CharField(label=_("secret"), required=False, max_length=2000,
                             widget=forms.PasswordInput(render_value=False),
                             help_text=_("Leave empty to keep the stored secret. Never shown again."))

    class Meta:
        model = ChannelAccount
        fields = ["kind", "provider", "name", "department", "config", "is_paused"]

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            account.set_secret("secret", self.cleaned_data["secret"])
        if commit:
            account.save()
        return account


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ["name", "kind", "provider", "department", "is_paused", "updated_at"]
    list_filter = ["kind", "is_paused"]
    search_fields = ["name"]
    readonly_fields = ["secret_names", "version", "created_at", "updated_at"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Call records: written by the CTI webhook only."""

    list_display = ["call_id", "account", "caller", "status", "ring_seconds", "agent", "created_at"]
    list_filter = ["status", "account"]
    search_fields = ["call_id", "caller"]
    readonly_fields = [f.name for f in Call._meta.fields] + ["work_orders"]

    def has_add_permission(self, request):
        return False


@admin.register(InboundItem)
class InboundItemAdmin(admin.ModelAdmin):
    """The raw store: read-only evidence of what arrived."""

    list_display = ["provider_id", "account", "kind", "received_at", "processed_at", "attempts", "error"]
    list_filter = ["kind", "account"]
    search_fields = ["provider_id"]
    readonly_fields = [f.name for f in InboundItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SuggestionRound)
class SuggestionRoundAdmin(admin.ModelAdmin):
    list_display = ["business_day", "account", "opened_at", "at_center_at", "handled_at", "items"]
    list_filter = ["account"]
    readonly_fields = ["account", "business_day", "open_due", "at_center_due", "handled_due", "items", "version"]


@admin.register(PollState)
class PollStateAdmin(admin.ModelAdmin):
    list_display = ["account", "last_polled_at", "fetched", "last_error", "lease_until"]
    readonly_fields = ["account", "last_polled_at", "fetched", "last_error", "lease_until"]
