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
from kefu.vendors import exports, selectors, services, staff, workflow
from kefu.vendors.api.serializers import (
    AttendanceInput,
    AttendanceSummaryOutput,
    NonconformityActionInput,
    NonconformityInput,
    NonconformityOutput,
    QualificationBody,
    VendorInput,
    VendorOutput,
    VendorScorecardComputeInput,
    VendorScorecardOutput,
    VendorScorecardSignInput,
    VendorWorkerInput,
    VendorWorkerOutput,
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


class VendorScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`GET ?vendor=<id>&month=YYYY-MM`: the month's scorecard with each line's value, weight,
    score and the URL of the records behind it."""

    serializer_class = VendorScorecardOutput

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

    @extend_schema(request=VendorScorecardComputeInput, responses={201: VendorScorecardOutput})
    def create(self, request):
        """Compute (or recompute, while a draft) a vendor's month; `manual`: {sequence: value}."""
        data = VendorScorecardComputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        manual = {}
        for key, value in (values.get("manual") or {}).items():
            if not str(key).isdigit():
                raise field_error("manual", _("Name manual items by their number."))
            manual[int(key)] = value
        card = services.scorecard_compute(actor_user=request.user, vendor=_vendor(request, values["vendor"]),
                                          month=_month(values["month"]), manual=manual)
        return Response(VendorScorecardOutput(self.get_object_by_pk(card.pk)).data, status=status.HTTP_201_CREATED)

    def get_object_by_pk(self, pk):
        return selectors.scorecard_get_for_actor(actor=self.request.actor, pk=pk)

    @extend_schema(request=VendorScorecardSignInput, responses=VendorScorecardOutput)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        card = self.get_object()
        data = VendorScorecardSignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_sign(scorecard=card, actor_user=request.user,
                                expected_version=data.validated_data.get("version"))
        return Response(VendorScorecardOutput(self.get_object()).data)

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


def _worker_body(request, worker) -> dict:
    from django.utils import timezone

    from kefu.core.masking import phone_for

    today = timezone.localdate()
    return VendorWorkerOutput({
        "id": worker.pk, "vendor_id": worker.vendor_id, "name": worker.name, "post": worker.post,
        "phone": phone_for(request.user, worker.phone), "site_id": worker.site_id, "started_on": worker.started_on,
        "left_on": worker.left_on,
        "qualifications": [{"id": q.pk, "name": q.name, "certificate_no": q.certificate_no, "expires_on": q.expires_on,
                            "state": staff.qualification_state(q, today)} for q in worker.qualifications.all()]}).data


class VendorStaffViewSet(viewsets.GenericViewSet):
    """Vendor staff on site: `GET ?vendor=<id>` (a vendor user: their own only), `POST` registers a
    worker with qualifications, `POST {id}/qualifications/` adds one."""

    serializer_class = VendorWorkerOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from kefu.vendors.models import VendorWorker

            return VendorWorker.objects.none()
        qs = staff.worker_list_for_actor(actor=self.request.actor)
        vendor = self.request.query_params.get("vendor", "")
        if vendor:
            if not vendor.isdigit():
                raise field_error("vendor", _("Enter a vendor id."))
            qs = qs.filter(vendor_id=int(vendor))
        return qs.order_by("vendor_id", "name", "id")

    @extend_schema(parameters=[OpenApiParameter("vendor", int)], responses=VendorWorkerOutput(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_worker_body(request, w) for w in page])

    @extend_schema(responses=VendorWorkerOutput)
    def retrieve(self, request, pk=None):
        return Response(_worker_body(request, staff.worker_get_for_actor(actor=request.actor, pk=pk)))

    @extend_schema(request=VendorWorkerInput, responses={201: VendorWorkerOutput})
    def create(self, request):
        data = VendorWorkerInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        vendor = _vendor(request, values.pop("vendor"))
        worker = staff.worker_register(actor_user=request.user, vendor=vendor, **values)
        return Response(_worker_body(request, staff.worker_get_for_actor(actor=request.actor, pk=worker.pk)),
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=QualificationBody, responses={201: VendorWorkerOutput})
    @action(detail=True, methods=["post"])
    def qualifications(self, request, pk=None):
        worker = staff.worker_get_for_actor(actor=request.actor, pk=pk)
        data = QualificationBody(data=request.data)
        data.is_valid(raise_exception=True)
        staff.qualification_add(actor_user=request.user, worker=worker, **data.validated_data)
        return Response(_worker_body(request, staff.worker_get_for_actor(actor=request.actor, pk=pk)),
                        status=status.HTTP_201_CREATED)


class VendorAttendanceViewSet(viewsets.GenericViewSet):
    """`POST` a day's attendance of a vendor's staff; `GET summary/?vendor=<id>&month=YYYY-MM`."""

    serializer_class = AttendanceSummaryOutput

    def get_queryset(self):
        from kefu.vendors.models import Attendance

        return Attendance.objects.none()

    @extend_schema(request=AttendanceInput, responses={200: AttendanceSummaryOutput})
    def create(self, request):
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        vendor = _vendor(request, values["vendor"])
        entries: dict[int, str] = {}
        for entry in values["entries"]:
            if entry["worker"] in entries:
                raise field_error("entries", _("Each worker once a day."))
            entries[entry["worker"]] = entry["status"]
        staff.attendance_record(actor_user=request.user, vendor=vendor, day=values["day"], entries=entries)
        return Response(self._summary(vendor, values["day"].replace(day=1)))

    @extend_schema(parameters=[OpenApiParameter("vendor", int, required=True),
                               OpenApiParameter("month", str, required=True, description="YYYY-MM")],
                   responses=AttendanceSummaryOutput)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        vendor_id = request.query_params.get("vendor", "")
        if not vendor_id.isdigit():
            raise field_error("vendor", _("Enter a vendor id."))
        return Response(self._summary(_vendor(request, vendor_id), _month(request.query_params.get("month", ""))))

    def _summary(self, vendor, month):
        summary = staff.attendance_summary(vendor=vendor, month=month)
        rows = [{"worker": r["worker"].pk, "name": r["worker"].name, **{k: r[k] for k in (
            "days", "present", "late", "leave", "absent", "unrecorded")}} for r in summary["rows"]]
        return AttendanceSummaryOutput({"vendor": vendor.pk, "month": f"{month:%Y-%m}", "rows": rows,
                                        "totals": summary["totals"]}).data
