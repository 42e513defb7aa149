"""Form pieces every app's pages share: Bootstrap widget classes and the workflow-action form."""

from __future__ import annotations

from typing import Any

from django import forms


class BootstrapMixin:
    """Adds Bootstrap classes to the widgets (the templates render fields one by one)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


class WorkflowActionForm(BootstrapMixin, forms.Form):
    """Base of a workflow action's dialog: the `version` the user saw travels along (a change in
    between → 409), and `service_data()` gives the service the filled-in fields only."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}
