"""The notification-preferences form: plain checkboxes, validated again by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.notifications.choices import OutboundEvent


class NotificationPreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Send me email"), required=False)
    email_actions = forms.MultipleChoiceField(
        label=_("Tell me outside the app about"), choices=OutboundEvent.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Applies to every channel switched on here. In-app notices always arrive."))
    sms_enabled = forms.BooleanField(label=_("SMS"), required=False)
    wechat_enabled = forms.BooleanField(label=_("WeChat"), required=False)

    @classmethod
    def from_preference(cls, pref):
        return cls(initial={"email_enabled": pref.email_enabled, "email_actions": list(pref.email_actions or []),
                            "sms_enabled": pref.sms_enabled, "wechat_enabled": pref.wechat_enabled})
