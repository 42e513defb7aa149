"""Forms of the callback pages: recording an attempt, and the customer's rating."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.callbacks.choices import Method, NotReachedReason, Outcome

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
STARS = [(str(n), str(n)) for n in range(1, 6)]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class AttemptForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, widget=forms.RadioSelect)
    reached = forms.ChoiceField(label=_("Customer reached?"), choices=YES_NO, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    solved = forms.ChoiceField(label=_("Problem really solved?"), choices=YES_NO, widget=forms.RadioSelect,
                               required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=2000)
    not_reached_reason = forms.ChoiceField(label=_("Why not reached?"), choices=NotReachedReason.choices,
                                           widget=forms.RadioSelect, required=False)
    next_attempt_at = forms.DateTimeField(
        label=_("Next attempt"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"method": data["method"], "reached": _yes_no(data["reached"]), "outcome": data.get("outcome") or "",
                "solved": _yes_no(data.get("solved")), "comment": data.get("comment") or "",
                "signature": data.get("signature") or "", "photo": data.get("photo"),
                # The not-reached fields stay behind when the answer changed to "reached".
                "not_reached_reason": "" if data["reached"] == "yes" else data.get("not_reached_reason") or "",
                "next_attempt_at": None if data["reached"] == "yes" else data.get("next_attempt_at")}


class RatingForm(forms.Form):
    speed = forms.ChoiceField(label=_("Speed"), choices=STARS, widget=forms.RadioSelect)
    attitude = forms.ChoiceField(label=_("Attitude"), choices=STARS, widget=forms.RadioSelect)
    quality = forms.ChoiceField(label=_("Quality"), choices=STARS, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything else you want to tell us?"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
