"""Teams and staff, read-only: what the intake and dispatch forms need to offer choices."""

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import viewsets

from kefu.org import selectors
from kefu.org.api.serializers import StaffOutput, TeamOutput
from kefu.org.models import Department, Staff


class TeamViewSet(viewsets.ReadOnlyModelViewSet[Department]):
    serializer_class = TeamOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.team_list()


class StaffFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter publishes no types
    team = filters.NumberFilter(method="filter_team")
    role = filters.CharFilter(field_name="role__code")

    def filter_team(self, queryset: QuerySet[Staff], name: str, value: Any) -> QuerySet[Staff]:
        team = Department.objects.filter(pk=value).first()
        if team is None:
            return queryset.none()
        return queryset.filter(department__path__startswith=team.path)


class StaffViewSet(viewsets.ReadOnlyModelViewSet[Staff]):
    serializer_class = StaffOutput
    filterset_class = StaffFilterSet
    lookup_field = "user_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Staff]:
        return selectors.staff_list()
