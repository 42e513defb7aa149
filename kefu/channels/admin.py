"""Admin for channel accounts: secrets are entered in a password field and never shown again
(the form keeps the stored secret when the field is left empty)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.channels.models import ChannelAccount


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
