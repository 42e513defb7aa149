"""The repair record page's forms: one per action, each carrying the `version` the user saw."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import WorkflowActionForm
from kefu.repairs.choices import PaymentMethod, RecordAction
from kefu.repairs.models import Equipment, Material

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UpdateForm(WorkflowActionForm):
    equipment = forms.ModelChoiceField(label=_("Equipment"), required=False,
                                       queryset=Equipment.objects.filter(is_active=True).order_by("code"))
    appointment_start = forms.DateTimeField(label=_("Appointment from"), required=False, widget=DATETIME)
    appointment_end = forms.DateTimeField(label=_("Appointment until"), required=False, widget=DATETIME)
    fault = forms.CharField(label=_("Fault found"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    work_done = forms.CharField(label=_("Work done"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    labour_minutes = forms.IntegerField(label=_("Labour time (minutes)"), min_value=0, max_value=7 * 24 * 60,
                                        required=False)
    is_paid = forms.BooleanField(label=_("Paid repair"), required=False)
    labour_charge = forms.DecimalField(label=_("Labour charge (¥)"), min_value=0, max_digits=10, decimal_places=2,
                                       required=False)

    def service_data(self) -> dict[str, Any]:
        # Every field is sent (an emptied one clears); the service keeps only what changed.
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["labour_minutes"] = data.get("labour_minutes") or 0
        if data.get("labour_charge") is None:
            data["labour_charge"] = "0"
        return data


class AddPartForm(WorkflowActionForm):
    material = forms.ModelChoiceField(label=_("From the materials list"), required=False,
                                      queryset=Material.objects.filter(is_active=True))
    name = forms.CharField(label=_("Or a part not on the list"), required=False, max_length=100)
    unit = forms.CharField(label=_("Unit of measure"), required=False, max_length=8)
    unit_price = forms.DecimalField(label=_("Unit price (¥)"), required=False, min_value=0, max_digits=10,
                                    decimal_places=2)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2)


class RemovePartForm(WorkflowActionForm):
    part = forms.IntegerField(widget=forms.HiddenInput)


class QuoteForm(WorkflowActionForm):
    pass


class CollectForm(WorkflowActionForm):
    amount = forms.DecimalField(label=_("Amount collected (¥)"), min_value=0, max_digits=12, decimal_places=2)
    payment_method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    receipt_no = forms.CharField(label=_("Receipt no."), required=False, max_length=32)


class SignForm(WorkflowActionForm):
    signer_name = forms.CharField(label=_("Customer's name"), max_length=50)
    satisfied = forms.NullBooleanField(label=_("Satisfied with the repair"), required=False,
                                       widget=forms.Select(choices=[("", "—"), ("true", _("Satisfied with the work")),
                                                                    ("false", _("Not satisfied with the work"))]))
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=800_000)

    def service_data(self) -> dict[str, Any]:
        return {"signer_name": self.cleaned_data["signer_name"], "satisfied": self.cleaned_data.get("satisfied"),
                "signature": self.cleaned_data.get("signature") or ""}


ACTION_FORMS: dict[str, type[forms.Form]] = {
    RecordAction.UPDATE: UpdateForm, RecordAction.ADD_PART: AddPartForm, RecordAction.REMOVE_PART: RemovePartForm,
    RecordAction.SUBMIT_QUOTE: QuoteForm, RecordAction.COLLECT: CollectForm, RecordAction.SIGN: SignForm,
}
