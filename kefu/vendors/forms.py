"""Forms of the vendor pages: a worker registered with a first qualification, a qualification,
a day's attendance (one choice per worker on site)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import BootstrapMixin
from kefu.vendors.choices import AttendanceStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkerForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    started_on = forms.DateField(label=_("On site since"), widget=DATE)
    qualification = forms.CharField(label=_("Qualification"), max_length=100, required=False)
    certificate_no = forms.CharField(label=_("Certificate no."), max_length=50, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        qualifications = ([{"name": data["qualification"], "certificate_no": data["certificate_no"],
                            "expires_on": data["expires_on"]}] if data.get("qualification") else [])
        return {"name": data["name"], "post": data["post"], "phone": data["phone"],
                "started_on": data["started_on"], "qualifications": qualifications}


class QualificationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Qualification"), max_length=100)
    certificate_no = forms.CharField(label=_("Certificate no."), max_length=50, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)


class AttendanceForm(BootstrapMixin, forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)

    def __init__(self, *args: Any, workers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers = workers
        for worker in workers:
            self.fields[f"worker_{worker.pk}"] = forms.ChoiceField(
                label=worker.name, choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def entries(self) -> dict[int, str]:
        return {worker.pk: self.cleaned_data[f"worker_{worker.pk}"] for worker in self.workers}


class ReplyForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.CharField(label=_("Rectification (the vendor's reply)"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class VerificationForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    verification = forms.CharField(label=_("Verification"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
