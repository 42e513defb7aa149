"""One FilterSet for the QA-check list: the API and the HTML queue use the same filters."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.quality.choices import CheckStatus
from kefu.quality.models import QACheck


class QACheckFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CheckStatus.choices, label=_("Status"), distinct=False)
    agent = django_filters.NumberFilter(field_name="agent_id", label=pgettext_lazy("qa check", "Agent"))
    week = django_filters.DateFilter(field_name="week_start", label=_("Week (Monday)"))
    passed = django_filters.BooleanFilter(field_name="passed", label=_("Passed"))

    class Meta:
        model = QACheck
        fields = ["status", "agent", "week", "passed"]
