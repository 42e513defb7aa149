"""Forms of the knowledge pages; the services validate again (and the API has its serializers)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import BootstrapMixin
from kefu.knowledge.choices import ArticleKind, MacroAction
from kefu.org.choices import DepartmentKind
from kefu.org.models import Department
from kefu.workorders.choices import HoldReason
from kefu.workorders.models import Category


class ArticleForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    answer = forms.CharField(label=_("Answer to give (inserted into comments and resolutions)"), required=False,
                             max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    body = forms.CharField(label=_("Body (Markdown)"), required=False, max_length=50000,
                           widget=forms.Textarea(attrs={"rows": 12}))
    category = forms.ModelChoiceField(label=_("Category"), required=False,
                                      queryset=Category.objects.filter(is_active=True).order_by("industry", "sort_order",
                                                                                                 "code"))
    tags = forms.CharField(label=_("Tags (comma separated)"), required=False, max_length=400)
    scope_department = forms.ModelChoiceField(
        label=_("Scope"), required=False, empty_label=_("Whole group"),
        queryset=Department.objects.filter(is_active=True, kind__in=[DepartmentKind.COMPANY,
                                                                     DepartmentKind.DEPARTMENT]).order_by("path"))
    review_on = forms.DateField(label=_("Review or expiry date"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["tags"] = [t.strip() for t in data.get("tags", "").replace("，", ",").split(",") if t.strip()]
        return data


class ReplyForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Variables: {customer_name} {order_number} {promised_time} {technician} "
                                       "{site_phone}"))
    shared = forms.BooleanField(label=_("Shared with everyone"), required=False)
    macro = forms.ChoiceField(label=_("Also"), choices=MacroAction.choices, required=False)
    hold_reason = forms.ChoiceField(label=_("Waiting for"), choices=[("", "—"), *HoldReason.choices], required=False)
