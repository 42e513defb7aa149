"""One FilterSet for the work-order list: the API and the HTML queues use the same filters."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.text import validate_query
from kefu.org.choices import DepartmentKind
from kefu.org.models import Department
from kefu.org.selectors import actor_for_user
from kefu.workorders.choices import PRIORITY_RANK, Channel, Priority, Status, WorkOrderType
from kefu.workorders.models import Category, WorkOrder


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Comma-separated ids (the queue's "export selected")."""


# As many as one bulk action may touch (services.BULK_MAX).
MAX_IDS = 100


class WorkOrderFilterSet(django_filters.FilterSet):
    # distinct=False: these are columns of the order itself (no join can repeat a row), and
    # django-filter's default SELECT DISTINCT over every column made PostgreSQL sort the whole
    # queue before LIMIT and count it through a subquery (bench/, docs/performance.md).
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    type = django_filters.MultipleChoiceFilter(choices=WorkOrderType.choices, label=_("Type"), distinct=False)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"), distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"), distinct=False)
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))
    team = django_filters.ModelChoiceFilter(queryset=Department.objects.filter(kind=DepartmentKind.TEAM),
                                            label=_("Team"))
    assignee = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), label=_("Assignee"))
    first_contact_owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(),
                                                           label=_("First-contact owner"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))
    complaint_level = django_filters.NumberFilter(label=_("Complaint level"))
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte",
                                                      label=_("Received from"))
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt",
                                                       label=_("Received before"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                                     label=_("Created from"))
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt",
                                                      label=_("Created before"))
    # The deadline buckets of the dashboard's backlog (the next SLA due time of the order).
    due_after = django_filters.IsoDateTimeFilter(field_name="sla_due_at", lookup_expr="gte", label=_("Due from"))
    due_before = django_filters.IsoDateTimeFilter(field_name="sla_due_at", lookup_expr="lt", label=_("Due before"))
    ids = NumberInFilter(field_name="id", label=_("Work orders (ids, comma-separated)"), method="filter_ids")
    q = django_filters.CharFilter(method="filter_q", label=_("Number or title"))
    # Full-text search (kefu.knowledge): exact for Chinese, every term (AND), ranked by relevance
    # then recency unless `ordering` is given; an order number (or its start) finds the order.
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), validators=[validate_query])
    ordering = django_filters.OrderingFilter(
        fields=(("received_at", "received_at"), ("created_at", "created_at"), ("updated_at", "updated_at"),
                ("promised_at", "promised_at"), ("number", "number"), ("priority_rank", "priority"),
                ("status", "status"), ("sla_due_at", "due"), ("id", "id")),
        label=_("Sort by"), method="filter_ordering",
    )

    class Meta:
        model = WorkOrder
        fields = ["status", "type", "channel", "priority", "category", "team", "assignee", "first_contact_owner",
                  "customer", "complaint_level"]

    def filter_ordering(self, queryset, name, value):
        fields = [self.filters["ordering"].get_ordering_value(v) for v in value if v]
        if any(f.lstrip("-") == "priority_rank" for f in fields):
            queryset = queryset.annotate(priority_rank=Case(
                *[When(priority=k, then=Value(v)) for k, v in PRIORITY_RANK.items()], output_field=IntegerField()))
        # "due soonest" puts orders without a running clock last on both databases.
        order_by = [F("sla_due_at").asc(nulls_last=True) if f == "sla_due_at"
                    else F("sla_due_at").desc(nulls_last=True) if f == "-sla_due_at" else f for f in fields]
        # A unique tiebreaker keeps pages stable when many rows share the sort value.
        return queryset.order_by(*order_by, "-id") if fields else queryset

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Who searches decides whether internal comments count (the API passes its request).
        self.actor = actor or (actor_for_user(self.request.user) if self.request is not None else None)

    def filter_search(self, queryset, name, value):
        from kefu.knowledge.selectors import (
            order_number_prefix,
            search_matches,
            work_order_search,
            work_order_search_ranked,
        )
        from kefu.knowledge.text import parse_query

        value = value.strip()
        if not value:
            return queryset
        number = order_number_prefix(value)
        if number:
            return queryset.filter(number__startswith=number)
        query = parse_query(value)
        matches = search_matches(actor=self.actor, query=query)  # one index lookup for both
        queryset = work_order_search(queryset, actor=self.actor, query=query, matches=matches)
        if self.data.get("ordering"):
            return queryset
        return work_order_search_ranked(queryset, actor=self.actor, query=query, matches=matches)

    def is_valid(self):
        valid = super().is_valid()
        ids = self.form.cleaned_data.get("ids") if valid else None
        if ids and len(ids) > MAX_IDS:
            self.form.add_error("ids", _("At most %(max)s work orders.") % {"max": MAX_IDS})
            return False
        return valid

    def filter_ids(self, queryset, name, value):
        return queryset.filter(id__in=[int(v) for v in value])

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.upper().startswith(("GD", "WO")) or value[:1].isdigit():
            return queryset.filter(number__startswith=value.upper())
        return queryset.filter(title__contains=value)
