"""Customer API: the ranked lookup the intake form types into, creation and edits, soft delete,
the deleted customers and their restore, PIPL erasure, occupancies (move-in/move-out) (the unit
list, which counts open work orders, is kefu.workspace.api.views). Thin: serializers in, services and selectors."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.core.masking import may_view_personal_data
from kefu.customers import selectors, services
from kefu.customers.api.serializers import (
    CustomerCreateInput,
    CustomerOutput,
    CustomerUpdateInput,
    DeletedCustomerOutput,
    OccupancyEndInput,
    OccupancyInput,
    OccupancyOutput,
)
from kefu.customers.models import Asset, Customer, CustomerAsset


def _restorer(request):
    """The actor, if their role may see and restore deleted customers (the roles that delete)."""
    actor = request.actor
    if actor.role not in services.DELETE_ROLES:
        raise NotAllowed(_("Your role may not restore deleted customers."), code="role_not_allowed")
    return actor


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return selectors.customer_list(actor=self.request.actor)

    def get_object(self):
        customer = selectors.customer_get(pk=self.kwargs["pk"], actor=self.request.actor)
        if customer is None:
            raise NotFound(_("Customer not found."))
        return customer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reveal_personal_data"] = may_view_personal_data(self.request.user)
        return context

    @extend_schema(parameters=[OpenApiParameter("q", str, description=(
        "Phone (any format, leading or trailing digits), name, pinyin initials, unit code in any spelling "
        "(3-2-1201 or 3栋2单元1201), account number, ID number or its tail. Ranked: exact, prefix, fragment."))])
    def list(self, request, *args, **kwargs):
        q = request.query_params.get("q", "")
        if q.strip():
            rows = selectors.customer_search(q=q, limit=50, actor=request.actor)
            return Response({"count": len(rows), "next": None, "previous": None,
                             "results": self.get_serializer(rows, many=True).data})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CustomerCreateInput, responses={201: CustomerOutput})
    def create(self, request):
        actor = request.actor
        data = CustomerCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        invisible = [a for a in values["assets"] if not selectors.asset_visible(actor=actor, asset=a)]
        if invisible:
            message = _('Invalid pk "%(pk)s" - object does not exist.') % {"pk": invisible[0].pk}
            raise InvalidInput(message, fields={"assets": [message]})
        customer = services.customer_create(actor_user=request.user, **values)
        customer = selectors.customer_get(pk=customer.pk)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerUpdateInput, responses={200: CustomerOutput})
    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = CustomerUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.customer_update(customer=customer, actor_user=request.user, **data.validated_data)
        return Response(self.get_serializer(selectors.customer_get(pk=customer.pk)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """Soft delete: hidden from every lookup, erased after the retention period."""
        services.customer_delete(customer=self.get_object(), actor_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: DeletedCustomerOutput(many=True)})
    @action(detail=False, methods=["get"], serializer_class=DeletedCustomerOutput, filter_backends=[])
    def deleted(self, request):
        """Soft-deleted customers in the caller's scope not yet erased, most recently deleted first,
        with `erase_on`/`days_left` before the nightly purge; for the roles that may delete (403
        otherwise). Paginated like the customer list."""
        actor = _restorer(request)
        page = self.paginate_queryset(selectors.deleted_customer_list(actor=actor))
        rows = selectors.deleted_rows(customers=list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: CustomerOutput})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Undo a soft delete while the customer is not erased (409 if erased, not deleted, or if a
        live customer has its ID number or credit code since: merge instead)."""
        actor = _restorer(request)
        customer = selectors.customer_for_restore(pk=pk, actor=actor)
        if customer is None:
            raise NotFound(_("Customer not found."))
        services.customer_restore(customer=customer, actor_user=request.user)
        return Response(CustomerOutput(selectors.customer_get(pk=customer.pk),
                                       context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """PIPL deletion request: blank the personal fields (see docs/customers.md)."""
        services.customer_erase(customer=self.get_object(), actor_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OccupancyViewSet(viewsets.GenericViewSet):
    """Move-in (POST) and move-out (POST …/end/) of customers in units."""

    serializer_class = OccupancyOutput
    queryset = CustomerAsset.objects.none()

    @extend_schema(request=OccupancyInput, responses={201: OccupancyOutput})
    def create(self, request):
        actor = request.actor
        data = OccupancyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = selectors.customer_get(pk=values["customer"], actor=actor)
        if customer is None:
            raise InvalidInput(_("Unknown customer."), fields={"customer": [_("Unknown customer.")]})
        unit = Asset.objects.filter(pk=values["unit"]).first()
        if unit is None or not selectors.asset_visible(actor=actor, asset=unit):
            raise InvalidInput(_("Unknown unit."), fields={"unit": [_("Unknown unit.")]})
        link = services.occupancy_start(customer=customer, unit=unit, relation=values["relation"],
                                        started_on=values["started_on"], actor_user=request.user)
        return Response(OccupancyOutput(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OccupancyEndInput, responses={200: OccupancyOutput})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        actor = request.actor
        link = CustomerAsset.objects.select_related("asset", "customer").filter(pk=pk).first() if str(
            pk).isdigit() else None
        if link is None or selectors.customer_get(pk=link.customer_id, actor=actor) is None:
            raise NotFound(_("Occupancy not found."))
        data = OccupancyEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        link = services.occupancy_end(occupancy=link, ended_on=data.validated_data["ended_on"],
                                      actor_user=request.user)
        return Response(OccupancyOutput(link).data)
