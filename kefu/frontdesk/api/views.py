"""Front desk API: release passes (list/retrieve/create and one POST per action) and the fees
register (items, bills, payments, arrears). Thin: services write, selectors read."""

from typing import Any

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
    KeyLoanCreateInput,
    KeyLoanOutput,
    ParcelCreateInput,
    ParcelOutput,
    PaymentInput,
    PaymentOutput,
    RegisterActionInput,
    ReleasePassActionInput,
    ReleasePassCreateInput,
    ReleasePassOutput,
    RenovationActionInput,
    RenovationCreateInput,
    RenovationOutput,
    VisitorPassCreateInput,
    VisitorPassOutput,
)
from kefu.frontdesk.models import FeeItem, KeyLoan, Parcel, ReleasePass, Renovation, VisitorPass
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


class _RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List/retrieve/create of a register; `lister(actor)` scopes, `getter(actor, pk)` finds one."""

    filter_backends: list = []
    model: Any = None
    create_input: Any = None

    def lister(self, actor):
        raise NotImplementedError

    def getter(self, actor, pk):
        raise NotImplementedError

    def creator(self, user, values):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        qs = self.lister(require_actor(self.request.user))
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs

    def get_object(self):
        found = self.getter(require_actor(self.request.user), self.kwargs["pk"])
        if found is None:
            raise NotFound(_("Not found."))
        return found

    def create(self, request):
        data = self.create_input(data=request.data)
        data.is_valid(raise_exception=True)
        made = self.creator(request.user, data.validated_data)
        found = self.getter(require_actor(request.user), made.pk)
        return Response(self.get_serializer(found).data, status=status.HTTP_201_CREATED)


class VisitorPassViewSet(_RegisterViewSet):
    serializer_class = VisitorPassOutput
    model = VisitorPass
    create_input = VisitorPassCreateInput

    def lister(self, actor):
        return selectors.visitor_pass_list(actor=actor)

    def getter(self, actor, pk):
        return selectors.visitor_pass_get(actor=actor, pk=pk)

    def creator(self, user, values):
        return services.visitor_pass_create(actor_user=user, **values)

    @extend_schema(request=VisitorPassCreateInput, responses={201: VisitorPassOutput})
    def create(self, request):
        return super().create(request)

    take_action = workflow_action_endpoint(
        table=workflow.VISIT_TABLE, input_serializer=RegisterActionInput, output_serializer=VisitorPassOutput,
        perform=lambda view, obj, action, values, version: services.visitor_pass_transition(
            visitor_pass=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="visitor pass")


class KeyLoanViewSet(_RegisterViewSet):
    serializer_class = KeyLoanOutput
    model = KeyLoan
    create_input = KeyLoanCreateInput

    @extend_schema(parameters=[OpenApiParameter("overdue", bool, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def lister(self, actor):
        return selectors.key_loan_list(actor=actor, overdue=self.request.query_params.get("overdue") == "true")

    def getter(self, actor, pk):
        return selectors.key_loan_get(actor=actor, pk=pk)

    def creator(self, user, values):
        return services.key_loan_create(actor_user=user, **values)

    @extend_schema(request=KeyLoanCreateInput, responses={201: KeyLoanOutput})
    def create(self, request):
        return super().create(request)

    take_action = workflow_action_endpoint(
        table=workflow.LOAN_TABLE, input_serializer=RegisterActionInput, output_serializer=KeyLoanOutput,
        perform=lambda view, obj, action, values, version: services.key_loan_transition(
            key_loan=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="key loan")


class ParcelViewSet(_RegisterViewSet):
    serializer_class = ParcelOutput
    model = Parcel
    create_input = ParcelCreateInput

    def lister(self, actor):
        return selectors.parcel_list(actor=actor)

    def getter(self, actor, pk):
        return selectors.parcel_get(actor=actor, pk=pk)

    def creator(self, user, values):
        return services.parcel_receive(actor_user=user, **values)

    @extend_schema(request=ParcelCreateInput, responses={201: ParcelOutput})
    def create(self, request):
        return super().create(request)

    take_action = workflow_action_endpoint(
        table=workflow.PARCEL_TABLE, input_serializer=RegisterActionInput, output_serializer=ParcelOutput,
        perform=lambda view, obj, action, values, version: services.parcel_transition(
            parcel=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="parcel")


class RenovationViewSet(_RegisterViewSet):
    serializer_class = RenovationOutput
    model = Renovation
    create_input = RenovationCreateInput

    def lister(self, actor):
        return selectors.renovation_list(actor=actor)

    def getter(self, actor, pk):
        return selectors.renovation_get(actor=actor, pk=pk)

    def creator(self, user, values):
        return services.renovation_apply(actor_user=user, **values)

    @extend_schema(request=RenovationCreateInput, responses={201: RenovationOutput})
    def create(self, request):
        return super().create(request)

    take_action = workflow_action_endpoint(
        table=workflow.RENOVATION_TABLE, input_serializer=RenovationActionInput, output_serializer=RenovationOutput,
        perform=lambda view, obj, action, values, version: services.renovation_transition(
            renovation=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="renovation permit")
