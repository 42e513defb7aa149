"""One FilterSet for the notice list: the API and the HTML list use the same filters."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.improvement.choices import OWNER_PENDING, Source, Status
from kefu.improvement.models import CorrectiveAction
from kefu.org.models import Department


class CorrectiveActionFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"), distinct=False)
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), method="filter_department",
                                                  field_name="responsible_department",
                                                  label=_("Responsible department"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Owned by me"))
    q = django_filters.CharFilter(method="filter_q", label=_("Notice number or title"))

    class Meta:
        model = CorrectiveAction
        fields = ["status", "source"]

    def filter_department(self, queryset, name, value):
        # The department and everything below it, like the visibility rule.
        return queryset.filter(responsible_department__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"status__in": OWNER_PENDING, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(owner_id=user.pk) if value and user is not None else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.upper().startswith("CA") or value[:1].isdigit():
            return queryset.filter(number__startswith=value.upper())
        return queryset.filter(title__contains=value)
