"""Vendor API: vendors, nonconformities (with their actions), monthly scorecards (compute, sign
off, the records behind each line, the statement as xlsx/PDF). Vendor users see their own only."""

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import workflow_action_endpoint
from kefu.core.errors import NotFound, field_error
from kefu.vendors import exports, selectors, services, workflow
from kefu.vendors.api.serializers import (
    NonconformityActionInput,
    NonconformityInput,
    NonconformityOutput,
    ScorecardComputeInput,
    ScorecardOutput,
    ScorecardSignInput,
    VendorInput,
    VendorOutput,
)
from kefu.vendors.models import Nonconformity, Scorecard, Vendor


def _vendor(request, pk) -> Vendor:
    return selectors.get_for_actor(selectors.vendor_list_for_actor(actor=request.actor), pk, _("Vendor not found."))


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise field_error("month", _("Enter a month (YYYY-MM).")) from None


class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VendorOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Vendor.objects.none()
        return selectors.vendor_list_for_actor(actor=self.request.actor).prefetch_related("routes")

    @extend_schema(request=VendorInput, responses={201: VendorOutput})
    def create(self, request):
        data = VendorInput(data=request.data)
        data.is_valid(raise_exception=True)
        vendor = services.vendor_create(actor_user=request.user, **data.validated_data)
        return Response(VendorOutput(self.get_queryset().get(pk=vendor.pk)).data, status=status.HTTP_201_CREATED)


class NonconformityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NonconformityOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Nonconformity.objects.none()
        qs = selectors.nonconformity_list_for_actor(actor=self.request.actor)
        if self.request.query_params.get("vendor", "").isdigit():
            qs = qs.filter(vendor_id=int(self.request.query_params["vendor"]))
        return qs

    def get_object(self):
        return selectors.get_for_actor(self.get_queryset(), self.kwargs["pk"], _("Nonconformity not found."))

    @extend_schema(request=NonconformityInput, responses={201: NonconformityOutput})
    def create(self, request):
        data = NonconformityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        vendor = _vendor(request, values.pop("vendor"))
        finding = None
        if values.get("finding"):
            from kefu.patrols.models import Finding

            finding = Finding.objects.select_related("answer", "checkpoint", "item", "round__route").filter(
                pk=values["finding"]).first()
            if finding is None:
                raise NotFound(_("Finding not found."))
            if not values.get("description"):
                values["description"] = services.finding_nonconformity_prefill(finding)["description"]
        values["finding"] = finding
        nc = services.nonconformity_create(actor_user=request.user, vendor=vendor, **values)
        return Response(NonconformityOutput(nc).data, status=status.HTTP_201_CREATED)

    take_action = workflow_action_endpoint(
        table=workflow.NONCONFORMITY_TABLE, input_serializer=NonconformityActionInput,
        output_serializer=NonconformityOutput, subject="nonconformity",
        perform=lambda view, obj, action, values, version: services.nonconformity_transition(
            nonconformity=obj, action=action, actor_user=view.request.user, expected_version=version, **values))


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`GET ?vendor=<id>&month=YYYY-MM`: the month's scorecard with each line's value, weight,
    score and the URL of the records behind it."""

    serializer_class = ScorecardOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scorecard.objects.none()
        qs = selectors.scorecard_list_for_actor(actor=self.request.actor)
        params = self.request.query_params
        if params.get("vendor"):
            if not params["vendor"].isdigit():
                raise field_error("vendor", _("Enter a vendor id."))
            qs = qs.filter(vendor_id=int(params["vendor"]))
        if params.get("month"):
            qs = qs.filter(month=_month(params["month"]))
        return qs

    def get_object(self):
        return selectors.scorecard_get_for_actor(actor=self.request.actor, pk=self.kwargs["pk"])

    @extend_schema(request=ScorecardComputeInput, responses={201: ScorecardOutput})
    def create(self, request):
        """Compute (or recompute, while a draft) a vendor's month; `manual`: {sequence: value}."""
        data = ScorecardComputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        manual = {}
        for key, value in (values.get("manual") or {}).items():
            if not str(key).isdigit():
                raise field_error("manual", _("Name manual items by their number."))
            manual[int(key)] = value
        card = services.scorecard_compute(actor_user=request.user, vendor=_vendor(request, values["vendor"]),
                                          month=_month(values["month"]), manual=manual)
        return Response(ScorecardOutput(self.get_object_by_pk(card.pk)).data, status=status.HTTP_201_CREATED)

    def get_object_by_pk(self, pk):
        return selectors.scorecard_get_for_actor(actor=self.request.actor, pk=pk)

    @extend_schema(request=ScorecardSignInput, responses=ScorecardOutput)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        card = self.get_object()
        data = ScorecardSignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_sign(scorecard=card, actor_user=request.user,
                                expected_version=data.validated_data.get("version"))
        return Response(ScorecardOutput(self.get_object()).data)

    @extend_schema(parameters=[OpenApiParameter("line", int)], responses=dict)
    @action(detail=True, methods=["get"])
    def records(self, request, pk=None):
        """The records behind a line: `ids` (its denominator) and `counted` (its numerator)."""
        line = request.query_params.get("line", "")
        if not line.isdigit():
            raise field_error("line", _("Enter the line's number."))
        return Response(services.scorecard_records(scorecard=self.get_object(), sequence=int(line)))

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=True, methods=["get"], url_path="statement/xlsx")
    def statement_xlsx(self, request, pk=None):
        card = self.get_object()
        response = HttpResponse(exports.statement_xlsx(card=card),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="statement-{card.vendor_id}-{card.month:%Y-%m}.xlsx"'
        return response

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="statement/pdf")
    def statement_pdf(self, request, pk=None):
        card = self.get_object()
        response = HttpResponse(exports.statement_pdf(card=card), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="statement-{card.vendor_id}-{card.month:%Y-%m}.pdf"'
        return response
