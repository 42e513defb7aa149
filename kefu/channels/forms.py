"""Forms of the inbound pages: convert a conversation (pre-filled intake), append it to an open
order of the same customer, close it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.workorders.choices import Priority, WorkOrderType
from kefu.workorders.models import Category, WorkOrder


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


class ConvertForm(_Styled):
    type = forms.ChoiceField(label=_("Type"), choices=WorkOrderType.choices, initial=WorkOrderType.INQUIRY)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AppendForm(_Styled):
    work_order = forms.ModelChoiceField(label=_("Open work order of this customer"), queryset=WorkOrder.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, orders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orders is not None:
            self.fields["work_order"].queryset = orders


class CloseForm(_Styled):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
