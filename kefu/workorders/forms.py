"""Forms of the agent UI. They parse and pre-check input; the services stay the authority.

Every rule that matters is enforced again by `work_order_create` / `work_order_transition`,
whose InvalidInput field errors the views attach to these forms.
"""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import BootstrapMixin, WorkflowActionForm
from kefu.customers.models import Asset, Customer
from kefu.workorders.choices import Channel, HoldReason, Priority, WorkOrderType
from kefu.workorders.models import Category

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, required=False):
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_INPUT_FORMATS,
                               widget=DateTimeLocalInput(attrs={"class": "form-control"}))


class IntakeForm(BootstrapMixin, forms.Form):
    """A new work order as the agent types it while the customer is on the line."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    asset = forms.ModelChoiceField(label=_("Unit / asset"), queryset=Asset.objects.all(), required=False)
    related_order = forms.IntegerField(label=_("Related work order"), required=False)
    type = forms.ChoiceField(label=_("Type"), choices=WorkOrderType.choices, initial=WorkOrderType.REPAIR)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    complaint_level = forms.TypedChoiceField(
        label=_("Complaint level"), required=False, coerce=int, empty_value=None,
        choices=[("1", _("Level 1")), ("2", _("Level 2")), ("3", _("Level 3"))])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))
    received_at = _datetime_field(_("Received at"), required=False)
    promised_at = _datetime_field(_("Promised time"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500,
                           help_text=_("Separate tags with commas."))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            # A posted customer id outside the user's scope is "not a valid choice", like any other.
            from kefu.customers.selectors import customer_list

            self.fields["customer"].queryset = customer_list(actor=actor)
            # Likewise a category of another organisation (the picker does not offer it).
            from kefu.workorders.selectors import category_list

            self.fields["category"].queryset = category_list(actor=actor)

    def clean(self):
        data = super().clean()
        type_ = data.get("type")
        category = data.get("category")
        if category is not None and type_ and not category.allows_type(type_):
            self.add_error("category", _("This category cannot be used for this type of work order."))
        if type_ == WorkOrderType.COMPLAINT:
            if data.get("complaint_level") is None:
                data["complaint_level"] = 1
        else:
            data["complaint_level"] = None
        now = timezone.now()
        received = data.get("received_at")
        if received is not None and received > now + timedelta(seconds=60):
            self.add_error("received_at", _("The time received cannot be in the future."))
        promised = data.get("promised_at")
        if promised is not None and promised <= (received or now):
            self.add_error("promised_at", _("The promised time must be after the time received."))
        asset = data.get("asset")
        customer = data.get("customer")
        if asset is not None and customer is not None and not customer.asset_links.filter(
                asset=asset, ended_on=None).exists():
            self.add_error("asset", _("This unit / asset does not belong to the chosen customer."))
        return data

    def tag_list(self) -> list[str]:
        raw = (self.cleaned_data.get("tags") or "").replace("，", ",").replace("、", ",")
        seen: list[str] = []
        for name in (t.strip() for t in raw.split(",")):
            if name and name not in seen:
                seen.append(name)
        return seen


# --- actions on a work order -------------------------------------------------------------------

class ActionForm(WorkflowActionForm):
    """Base of every action form: the version the user saw (a stale page gets a 409)."""


def _text(label, required=True, rows=3):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class NoteForm(ActionForm):
    note = _text(_("Note"), required=False, rows=2)


class DispatchForm(ActionForm):
    team = forms.IntegerField(label=_("Team"))
    assignee = forms.IntegerField(label=_("Assignee"), required=False)
    promised_at = _datetime_field(_("Promised time"))
    note = _text(_("Note"), required=False, rows=2)


class HoldForm(ActionForm):
    reason = _text(_("Reason"))
    waiting_for = forms.ChoiceField(label=_("Waiting for"), choices=HoldReason.choices, initial=HoldReason.CUSTOMER)


class ResolveForm(ActionForm):
    resolution = _text(_("Resolution"))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one field (the service checks their type and size by their bytes)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={
            "accept": "image/jpeg,image/png,image/gif,image/webp", "capture": "environment", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ResolveOnSiteForm(ActionForm):
    """The technician's resolve form (phone): what was done, parts and materials lines, photos
    and the customer's signature. Material lines come as parallel lists (`material_description`,
    `material_quantity`, `material_unit`); the service validates them and names the line."""

    resolution = forms.CharField(label=_("What was done"), max_length=10_000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    confirmed_by = forms.CharField(label=_("Confirmed on site by (customer's name)"), max_length=100, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1_000_000)
    # Carries the service's per-line errors (the lines themselves are read from the POST lists).
    materials = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1)

    def material_lines(self) -> list[dict]:
        data = self.data
        getlist = data.getlist if hasattr(data, "getlist") else (lambda key: data.get(key) or [])
        rows = zip(getlist("material_description"), getlist("material_quantity"), getlist("material_unit"),
                   strict=False)
        return [{"description": d, "quantity": q, "unit": u} for d, q, u in rows]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"resolution": data["resolution"], "photos": data.get("photos") or [],
                "confirmed_by": data.get("confirmed_by") or "", "signature": data.get("signature") or "",
                "materials": self.material_lines()}


class ReasonForm(ActionForm):
    reason = _text(_("Reason"))


class SubmitPlanForm(ActionForm):
    plan = _text(_("Handling plan"), rows=4)
    compensation_amount = forms.DecimalField(label=_("Compensation / cost (¥)"), required=False, min_value=0,
                                             max_digits=12, decimal_places=2)


class RejectPlanForm(ActionForm):
    note = _text(_("Why is the plan rejected?"))


class CommentForm(ActionForm):
    body = _text(_("Comment"))
    internal = forms.BooleanField(label=_("Internal (not shown to the customer)"), required=False, initial=True)

    def service_data(self) -> dict:
        return {"body": self.cleaned_data["body"], "internal": bool(self.cleaned_data.get("internal"))}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": NoteForm,
    "dispatch": DispatchForm,
    "start": NoteForm,
    "hold": HoldForm,
    "resume": NoteForm,
    "resolve": ResolveForm,
    "close": NoteForm,
    "reopen": ReasonForm,
    "cancel": ReasonForm,
    "comment": CommentForm,
    "submit_plan": SubmitPlanForm,
    "approve_plan": NoteForm,
    "reject_plan": RejectPlanForm,
}


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Photo or PDF"))
