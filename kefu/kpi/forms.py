"""Forms of the KPI pages; `service_data()` gives the keyword arguments of the service."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EnterValueForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.DecimalField(label=_("Value (0–100)"), min_value=Decimal(0), max_value=Decimal(100),
                               decimal_places=2,
                               widget=forms.NumberInput(attrs={"class": "form-control", "step": "any",
                                                               "inputmode": "decimal"}))
    note = forms.CharField(label=pgettext_lazy("kpi", "Note"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


class SignOffForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PeriodForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    quarter = forms.IntegerField(min_value=1, max_value=4, required=False)


class ReviewForm(forms.Form):
    """A 1–5 choice per item of the person's review form, and the reviewer's comment."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    half = forms.TypedChoiceField(label=_("Half-year"), coerce=int, choices=[(1, _("First half")),
                                                                              (2, _("Second half"))],
                                  widget=forms.Select(attrs={"class": "form-select"}))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, review_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(review_form.items.all()) if review_form is not None else []
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.display_name, coerce=int, choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def item_fields(self, group: str):
        return [self[f"item_{item.pk}"] for item in self.items if item.group == group]

    def scores(self) -> dict:
        return {str(item.pk): self.cleaned_data.get(f"item_{item.pk}") for item in self.items}
