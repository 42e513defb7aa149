"""Customer API: the lookup the intake form types into, and creation of new callers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.core.masking import may_view_personal_data
from kefu.customers import selectors, services
from kefu.customers.api.serializers import CustomerCreateInput, CustomerOutput


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerOutput

    def get_queryset(self):
        q = self.request.query_params.get("q", "")
        if q.strip() and self.action == "list":
            return selectors.customer_search(q=q, limit=50)
        return selectors.customer_list()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reveal_personal_data"] = may_view_personal_data(self.request.user)
        return context

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Phone (any format, leading or trailing "
                                                "digits), name, pinyin initials or unit/asset code.")])
    def list(self, request, *args, **kwargs):
        if request.query_params.get("q", "").strip():
            rows = list(self.get_queryset())
            return Response({"count": len(rows), "next": None, "previous": None,
                             "results": self.get_serializer(rows, many=True).data})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CustomerCreateInput, responses={201: CustomerOutput})
    def create(self, request):
        data = CustomerCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(**data.validated_data)
        customer = selectors.customer_get(pk=customer.pk)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)
