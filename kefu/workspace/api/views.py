"""The unit list API (`/api/v1/units/`, registered by config/api_urls.py): customers' units with
their occupants and archive completeness, and the open work orders at each."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets

from kefu.core.masking import may_view_personal_data
from kefu.customers import selectors as customers
from kefu.customers.api.serializers import UnitListOutput
from kefu.customers.filters import UnitFilterSet
from kefu.customers.models import Asset
from kefu.org.selectors import require_actor
from kefu.workspace import selectors


class UnitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The unit list (as `/customers/units/`): units on the sites the user may see, with current
    occupants (phones masked without `view_personal_data`), archive completeness and open work
    orders; filters `site`, `building`, `status`, `use`, `occupied` (true/false), `q` (code or name)."""

    serializer_class = UnitListOutput
    filterset_class = UnitFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return customers.unit_list(actor=require_actor(self.request.user))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reveal_personal_data"] = may_view_personal_data(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = selectors.unit_rows(actor=require_actor(request.user), units=list(self.paginate_queryset(queryset)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
