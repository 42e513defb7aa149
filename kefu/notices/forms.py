"""Forms of the notice pages. They parse input; `services.notice_create` stays the authority and
its field errors are put back on these forms by the views."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import BootstrapMixin, WorkflowActionForm
from kefu.notifications.models import Channel

MAX_UNITS = 200
_SPLIT = re.compile(r"[\s,，、;；]+")


def split_words(text: str) -> list[str]:
    """“1-101, 1-102\n2-101” / “停水、老人” → the non-empty words, in order, once each."""
    return list(dict.fromkeys(w for w in _SPLIT.split(text or "") if w))


class NoticeForm(BootstrapMixin, forms.Form):
    """Compose a notice: text, channels (tried in the order WeChat, SMS, email), audience, time."""

    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Text"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), widget=forms.CheckboxSelectMultiple,
        choices=[(Channel.WECHAT, _("WeChat")), (Channel.SMS, _("SMS")), (Channel.EMAIL, _("Email"))],
        help_text=_("Each customer gets the notice once, on the first of these channels that reaches them."))
    sites = forms.TypedMultipleChoiceField(label=_("Sites"), coerce=int, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 4}))
    buildings = forms.TypedMultipleChoiceField(label=_("Buildings"), coerce=int, required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 6}))
    units = forms.CharField(label=_("Units (codes)"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2, "placeholder": "CH-1-1203, CH-1-1204"}))
    tags = forms.CharField(label=_("Customers with a tag"), max_length=500, required=False,
                           help_text=_("Separate several tags by commas."))
    send_at = forms.DateTimeField(label=_("Send at (empty: at once)"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                             format="%Y-%m-%dT%H:%M"),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    urgent = forms.BooleanField(label=_("Urgent (also in quiet hours)"), required=False)

    def __init__(self, *args: Any, sites: list[tuple[int, str]], buildings: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].choices = sites  # type: ignore[attr-defined]  # a choice field
        self.fields["buildings"].choices = buildings  # type: ignore[attr-defined]  # a choice field

    def clean_units(self) -> list[str]:
        codes = split_words(self.cleaned_data.get("units", ""))
        if len(codes) > MAX_UNITS:
            raise forms.ValidationError(_("At most %(n)s units.") % {"n": MAX_UNITS})
        return codes

    def clean_tags(self) -> list[str]:
        tags = split_words(self.cleaned_data.get("tags", ""))
        if len(tags) > 50 or any(len(t) > 30 for t in tags):
            raise forms.ValidationError(_("At most 50 tags of at most 30 characters."))
        return tags


class NoticeActionForm(WorkflowActionForm):
    pass


class CancelForm(WorkflowActionForm):
    note = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS: dict[str, type[forms.Form]] = {"submit": NoticeActionForm, "approve": NoticeActionForm,
                                             "send": NoticeActionForm, "cancel": CancelForm}
