"""Front desk API: release passes (list/retrieve/create and one POST per action) and the fees
register (items, bills, payments, arrears). Thin: services write, selectors read."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.api import workflow_action_endpoint
from kefu.core.errors import NotFound, field_error
from kefu.core.pagination import PageNumberPagination
from kefu.frontdesk import selectors, services, workflow
from kefu.frontdesk.api.serializers import (
    ArrearsRowOutput,
    BillInput,
    BillOutput,
    FeeItemOutput,
    PaymentInput,
    PaymentOutput,
    ReleasePassActionInput,
    ReleasePassCreateInput,
    ReleasePassOutput,
)
from kefu.frontdesk.models import FeeItem, ReleasePass
from kefu.org.selectors import require_actor


class ReleasePassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReleasePassOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReleasePass.objects.none()
        qs = selectors.pass_list(actor=require_actor(self.request.user))
        status_filter = self.request.query_params.get("status")
        return qs.filter(status=status_filter) if status_filter else qs

    def get_object(self):
        found = selectors.pass_get(actor=require_actor(self.request.user), pk=self.kwargs["pk"])
        if found is None:
            raise NotFound(str(services.FLOW.not_found))
        return found

    @extend_schema(request=ReleasePassCreateInput, responses={201: ReleasePassOutput})
    def create(self, request):
        data = ReleasePassCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.release_pass_create(actor_user=request.user, **data.validated_data)
        found = selectors.pass_get(actor=require_actor(request.user), pk=made.pk)
        return Response(ReleasePassOutput(found).data, status=status.HTTP_201_CREATED)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=ReleasePassActionInput, output_serializer=ReleasePassOutput,
        perform=lambda view, obj, action, values, version: services.release_pass_transition(
            release_pass=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="release pass")


class FeeItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FeeItemOutput
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("site", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FeeItem.objects.none()
        return selectors.fee_items(actor=require_actor(self.request.user), site_id=self.request.query_params.get("site"))


class BillViewSet(viewsets.GenericViewSet):
    serializer_class = BillOutput

    @extend_schema(request=BillInput, responses={201: BillOutput})
    def create(self, request):
        data = BillInput(data=request.data)
        data.is_valid(raise_exception=True)
        bill = services.bill_create(actor_user=request.user, **data.validated_data)
        return Response(BillOutput(bill).data, status=status.HTTP_201_CREATED)


class PaymentViewSet(viewsets.GenericViewSet):
    serializer_class = PaymentOutput

    @extend_schema(request=PaymentInput, responses={201: PaymentOutput})
    def create(self, request):
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_record(actor_user=request.user, **data.validated_data)
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class ArrearsView(APIView):
    """Units in arrears (bills past due and unpaid), oldest first, paginated."""

    @extend_schema(parameters=[OpenApiParameter("site", int, required=False)], responses=ArrearsRowOutput(many=True))
    def get(self, request):
        actor = require_actor(request.user)
        site = request.query_params.get("site")
        if site not in (None, "") and not str(site).isdigit():
            raise field_error("site", _("Choose a site by its number."))
        qs = selectors.arrears_queryset(actor=actor, site_id=site)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = selectors.arrears_rows(list(page or []))
        return paginator.get_paginated_response(ArrearsRowOutput(rows, many=True).data)
