"""Forms of the QA pages: one per action, each carrying the version the user saw.

The score form is built from the check's QA form: one 0–100 field per item (`score_<code>`).
`service_data()` turns the cleaned form into the keyword arguments of `qa_check_transition`.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class _ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ScoreForm(_ActionForm):
    comment = forms.CharField(label=_("QA comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    comment_required = False

    def __init__(self, *args, qa_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(qa_form.items.all()) if qa_form is not None else []
        for item in self.items:
            self.fields[f"score_{item.code}"] = forms.DecimalField(
                label=f"{item.display_name} ({item.weight}%)", min_value=Decimal(0), max_value=Decimal(100),
                decimal_places=2, required=True,
                widget=forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 100, "step": "any",
                                                "inputmode": "decimal", "data-weight": item.weight,
                                                "data-qa-score": item.code}))
        self.fields["comment"].required = self.comment_required
        self.order_fields([*(f"score_{i.code}" for i in self.items), "comment"])

    def score_fields(self):
        return [self[f"score_{item.code}"] for item in self.items]

    def item_fields(self):
        """(item, its bound score field): the template shows each item's guide beside its field."""
        return [(item, self[f"score_{item.code}"]) for item in self.items]

    def service_data(self) -> dict:
        return {"scores": {item.code: self.cleaned_data[f"score_{item.code}"] for item in self.items},
                "comment": self.cleaned_data.get("comment") or ""}


class AmendForm(ScoreForm):
    comment_required = True


class AppealForm(_ActionForm):
    reason = forms.CharField(label=_("Why do you disagree?"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class UpholdForm(_ActionForm):
    comment = forms.CharField(label=pgettext_lazy("qa appeal", "Reason for the decision"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class RaiseForm(_ActionForm):
    note = forms.CharField(label=_("Note for the notice (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


ACTION_FORMS = {"score": ScoreForm, "appeal": AppealForm, "uphold": UpholdForm, "amend": AmendForm,
                "raise_corrective_action": RaiseForm}


def make_form(action: str, check, data=None):
    form_class = ACTION_FORMS[action]
    kwargs = {"initial": {"version": check.version}, "auto_id": f"id_{action}_%s"}
    if issubclass(form_class, ScoreForm):
        kwargs["qa_form"] = check.form
    return form_class(data, **kwargs) if data is not None else form_class(**kwargs)
