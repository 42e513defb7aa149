"""One FilterSet for the callback list (API and queue page)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kefu.callbacks.choices import CallbackStatus, Source
from kefu.callbacks.models import Callback


class CallbackFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CallbackStatus.choices, label=_("Status"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt", label=_("Due before"))
    work_order = django_filters.NumberFilter(field_name="work_order_id", label=_("Work order"))
    on_site_required = django_filters.BooleanFilter(label=_("On site with signature"))

    class Meta:
        model = Callback
        fields = ["status", "source", "due_before", "work_order", "on_site_required"]
