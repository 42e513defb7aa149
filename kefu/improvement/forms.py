"""Forms of the corrective-action UI. They parse input; the services stay the authority and their
InvalidInput field errors are attached back to these forms by the views."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import BootstrapMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text(label, required=True, rows=3):
    return forms.CharField(label=label, required=required, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DateInput())


class NoticeForm(BootstrapMixin, forms.Form):
    """A notice raised by hand; issued at once to the chosen owner."""

    title = forms.CharField(label=_("Title"), max_length=200)
    nonconformity = _text(_("Nonconformity"), rows=4)
    responsible_department = forms.IntegerField(label=_("Responsible department"), widget=forms.Select)
    owner = forms.IntegerField(label=_("Responsible person"), widget=forms.Select)
    due_date = _date(_("Due date"))
    evidence = _text(_("Evidence (one link per line: description | /work-orders/123/)"), required=False, rows=3)
    item_code = forms.CharField(label=_("Survey item code"), max_length=64, required=False,
                                help_text=_("Shows the item's satisfaction rate before and after."))

    def evidence_list(self) -> list[dict]:
        """“label | url” per line (a bare url or bare text also works)."""
        items = []
        for line in (self.cleaned_data.get("evidence") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, _sep, url = line.rpartition("|") if "|" in line else ("", "", line)
            label, url = label.strip(), url.strip()
            if not url.startswith(("/", "http://", "https://")):
                label, url = (f"{label} {url}".strip(), "")
            kind = "work_order" if url.startswith("/work-orders/") else "link"
            items.append({"kind": kind, "label": label or url, "url": url})
        return items


class ActionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


class NoteForm(ActionForm):
    note = _text(_("Note"), required=False, rows=2)


class IssueForm(ActionForm):
    responsible_department = forms.IntegerField(label=_("Responsible department"), widget=forms.Select)
    owner = forms.IntegerField(label=_("Responsible person"), widget=forms.Select)
    due_date = _date(_("Due date"))
    note = _text(_("Note"), required=False, rows=2)


class DismissForm(ActionForm):
    reason = _text(_("Reason"))


class RecordActionForm(ActionForm):
    root_cause = _text(_("Root cause"))
    action_taken = _text(_("Measures taken"))


class VerifyForm(ActionForm):
    verification = _text(_("Verification"))


class VerifyNotEffectiveForm(ActionForm):
    verification = _text(_("Why is it not effective?"))
    due_date = _date(_("New due date"))


class CommentForm(ActionForm):
    body = _text(_("Comment"))


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "issue": IssueForm,
    "dismiss": DismissForm,
    "accept": NoteForm,
    "record_action": RecordActionForm,
    "verify_effective": VerifyForm,
    "verify_not_effective": VerifyNotEffectiveForm,
    "close": NoteForm,
    "comment": CommentForm,
}
