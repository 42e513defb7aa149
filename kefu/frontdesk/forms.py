"""Forms of the front desk pages. They parse input; the services stay the authority and their
field errors are put back on these forms by the views."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.forms import BootstrapMixin, WorkflowActionForm
from kefu.frontdesk.choices import DunningMethod, ViolationKind, VisitorKind

_QUANTITY = re.compile(r"^(.*?)[\s×xX*]+(\d+)$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def parse_items(text: str) -> list[dict[str, Any]]:
    """“沙发 × 2” / “沙发 2” / “沙发” per line → [{"name": "沙发", "quantity": 2}] (1 when not given)."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _QUANTITY.match(line)
        name, quantity = (match.group(1).strip(), int(match.group(2))) if match and match.group(1).strip() else (line, 1)
        items.append({"name": name, "quantity": quantity})
    return items


def unit_code_field(*, optional_recipient: bool = False) -> forms.CharField:
    """The unit code box that loads the unit's occupants into the requester/recipient select."""
    attrs = {"autocomplete": "off", "placeholder": "CH-1-1203", "hx-get": reverse_lazy("frontdesk:occupants"),
             "hx-include": "this, #id_requester", "hx-trigger": "input changed delay:300ms",
             "hx-target": "#requester-field", "hx-swap": "outerHTML"}
    if optional_recipient:
        attrs["hx-vals"] = '{"optional": "1"}'
    return forms.CharField(label=_("Unit"), max_length=64, widget=forms.TextInput(attrs=attrs))


class ReleasePassForm(BootstrapMixin, forms.Form):
    unit_code = unit_code_field()
    requester = forms.IntegerField(label=_("Requester (occupant)"), widget=forms.Select)
    items = forms.CharField(label=_("Items (one per line: name × quantity)"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4, "placeholder": "沙发 × 1\n纸箱 × 12"}))
    moving_date = forms.DateField(label=_("Moving date"), widget=DateInput())
    vehicle = forms.CharField(label=_("Vehicle plate"), max_length=32, required=False)
    carrier = forms.CharField(label=_("Carried by"), max_length=100, required=False)
    is_move_out = forms.BooleanField(label=_("Move-out (ends the occupancy when the goods leave)"), required=False)
    override_reason = forms.CharField(label=_("Arrears override reason (supervisor or above)"), max_length=500,
                                      required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(WorkflowActionForm):
    override_reason = forms.CharField(label=_("Arrears override reason (supervisor or above)"), max_length=500,
                                      required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(WorkflowActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ScanForm(WorkflowActionForm):
    pass


ACTION_FORMS: dict[str, type[forms.Form]] = {"approve": ApproveForm, "cancel": CancelForm, "scan": ScanForm}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VisitorForm(BootstrapMixin, forms.Form):
    site = forms.IntegerField(label=_("Site"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    company = forms.CharField(label=_("Company (contractors)"), max_length=100, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=DateTimeInput(),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    walk_in = forms.BooleanField(label=_("Walk-in: on site now"), required=False)


class KeyLoanForm(BootstrapMixin, forms.Form):
    key = forms.IntegerField(label=_("Key to lend"), widget=forms.Select)
    borrower = forms.CharField(label=_("Borrower"), max_length=100)
    borrower_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    company = forms.CharField(label=_("Company"), max_length=100, required=False)
    due_at = forms.DateTimeField(label=_("Due back at"), widget=DateTimeInput(),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class ParcelForm(BootstrapMixin, forms.Form):
    unit_code = unit_code_field(optional_recipient=True)
    requester = forms.IntegerField(label=_("Recipient"), required=False, widget=forms.Select)
    sender = forms.CharField(label=_("Sender"), max_length=100, required=False)
    carrier = forms.CharField(label=_("Carrier"), max_length=50, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)
    is_registered_mail = forms.BooleanField(label=_("Registered mail"), required=False)


class ReasonForm(WorkflowActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class SignedByForm(WorkflowActionForm):
    signed_by = forms.CharField(label=_("Signed by"), max_length=100)


class PickupCodeForm(WorkflowActionForm):
    pickup_code = forms.CharField(label=_("Pickup code"), max_length=8,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class RenovationForm(BootstrapMixin, forms.Form):
    unit_code = unit_code_field()
    requester = forms.IntegerField(label=_("Applicant (occupant)"), widget=forms.Select)
    description = forms.CharField(label=_("Works"), max_length=500)
    contractor = forms.CharField(label=_("Contractor"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("Works start"), widget=DateInput())
    ends_on = forms.DateField(label=_("Works end"), widget=DateInput())


class RequiredReasonForm(WorkflowActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReviewForm(WorkflowActionForm):
    structure = forms.BooleanField(label=_("Structure"), required=False)
    fire = forms.BooleanField(label=_("Fire safety"), required=False)
    waterproofing = forms.BooleanField(label=_("Waterproofing"), required=False)


class DepositForm(WorkflowActionForm):
    deposit = forms.CharField(label=_("Deposit (¥)"), max_length=16)
    fee = forms.CharField(label=_("Fees (¥)"), max_length=16, required=False)
    working_hours = forms.CharField(label=_("Working hours"), max_length=100, required=False)


class FindingForm(WorkflowActionForm):
    finding = forms.CharField(label=_("Finding"), max_length=1000, required=False)


class RectificationForm(WorkflowActionForm):
    finding = forms.CharField(label=_("Violation found"), max_length=1000)
    rectify_by = forms.DateField(label=_("Rectify by"), widget=DateInput())
    penalty = forms.CharField(label=_("Penalty (¥)"), max_length=16, required=False)


class DunningRoundForm(BootstrapMixin, forms.Form):
    site = forms.IntegerField(label=_("Site"), widget=forms.Select)
    min_balance = forms.CharField(label=_("Chase balances from (¥)"), max_length=16, initial="1")


class AttemptForm(WorkflowActionForm):
    method = forms.ChoiceField(label=_("How"), choices=DunningMethod.choices)
    note = forms.CharField(label=pgettext_lazy("dunning", "Outcome"), max_length=500, required=False)


class PromiseForm(WorkflowActionForm):
    promise_date = forms.DateField(label=_("Promised by"), widget=DateInput())
    promise_amount = forms.CharField(label=_("Amount (¥)"), max_length=16, required=False)


class NoteForm(WorkflowActionForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ItemLoanForm(BootstrapMixin, forms.Form):
    item = forms.IntegerField(label=_("Item to lend"), widget=forms.Select)
    borrower = forms.CharField(label=_("Borrower"), max_length=100)
    unit_code = forms.CharField(label=_("Unit"), max_length=64, required=False)
    due_at = forms.DateTimeField(label=_("Due back at"), widget=DateTimeInput(),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class ViolationForm(BootstrapMixin, forms.Form):
    unit_code = forms.CharField(label=_("Unit"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=ViolationKind.choices)
    description = forms.CharField(label=_("What happened"), max_length=500)
    rectify_by = forms.DateField(label=_("Rectify by"), widget=DateInput(), required=False)
    penalty = forms.CharField(label=_("Penalty (¥)"), max_length=16, required=False)


REGISTER_ACTION_FORMS: dict[str, dict[str, type[forms.Form]]] = {
    "lending": {"return": ScanForm},
    "violations": {"rectified": ScanForm, "cancel": RequiredReasonForm},
    "dunning": {"attempt": AttemptForm, "promise": PromiseForm, "escalate": NoteForm, "close": NoteForm},
    "renovations": {"review": ReviewForm, "reject": RequiredReasonForm, "pay": DepositForm, "inspect": FindingForm,
                    "order": RectificationForm, "rectified": ScanForm, "accept": ScanForm, "refund": ScanForm,
                    "cancel": RequiredReasonForm},
    "visitors": {"arrive": ScanForm, "depart": ScanForm, "cancel": ReasonForm},
    "keys": {"return": ScanForm},
    "parcels": {"deliver": SignedByForm, "collect": PickupCodeForm},
}
