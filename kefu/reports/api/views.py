"""Report API: the service analysis, the per-type reports, the drill-down order lists and the
report schedules (list, create, read, PATCH, delete, run now — through the same services as the page)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import NotFound
from kefu.reports import selectors, services
from kefu.reports.api.serializers import (
    ReportQuery,
    ReportScheduleInput,
    ReportScheduleOutput,
    ReportScheduleRunOutput,
    ServiceAnalysisOutput,
)
from kefu.reports.choices import KIND_TYPES
from kefu.reports.models import ReportSchedule
from kefu.workorders.api.serializers import WorkOrderOutput
from kefu.workorders.models import WorkOrder


def _report_actor(request):
    """The actor if their role may read reports (IsStaffMember has already let only staff in)."""
    return selectors.require_report_actor(request.actor)


def _truthy(value) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")


class ServiceAnalysisView(APIView):
    """The service analysis of a period (dates inclusive, site zone) and scope; every figure with
    its numerator, denominator and the URL of the orders behind it."""

    @extend_schema(parameters=[ReportQuery], responses=ServiceAnalysisOutput)
    def get(self, request):
        actor = _report_actor(request)
        scope = selectors.parse_scope(request.query_params)
        period = selectors.parse_period(request.query_params, scope)
        if _truthy(request.query_params.get("compare")):
            data = selectors.service_analysis_compared(actor=actor, period=period, scope=scope)
        else:
            data = selectors.service_analysis(actor=actor, period=period, scope=scope)
        return Response(data)


class TypeReportView(APIView):
    """The complaint, inquiry or business-change report of a period and scope."""

    @extend_schema(parameters=[ReportQuery, OpenApiParameter("report", str, OpenApiParameter.PATH,
                                                             enum=list(KIND_TYPES))],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request, report: str):
        actor = _report_actor(request)
        if report not in KIND_TYPES:
            raise NotFound(_("Unknown report."))
        scope = selectors.parse_scope(request.query_params)
        period = selectors.parse_period(request.query_params, scope)
        return Response(selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report]))  # type: ignore[index]  # the report names are ReportKind's str values


class ReportOrdersView(generics.ListAPIView):
    """The work orders behind a report figure (the parameters of its drill-down URL); the list's
    `count` is the figure."""

    serializer_class = WorkOrderOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        qs, _meta = selectors.drill_orders(actor=_report_actor(self.request), params=self.request.query_params)
        return qs


# --- report schedules ---------------------------------------------------------------------------------

def _schedules_out(request, actor, schedules) -> list[dict]:
    schedules = list(schedules)
    context = {"request": request, "actor": actor, "scope_labels": selectors.schedule_scope_labels(schedules),
               "held_back": selectors.schedule_scope_held_back(schedules, reader=actor)}
    return ReportScheduleOutput(schedules, many=True, context=context).data  # type: ignore[return-value]  # many=True gives a list (ReturnList); the stubs say ReturnDict


def _schedule_out(request, actor, pk) -> dict:
    return _schedules_out(request, actor, [selectors.schedule_get_for_actor(actor=actor, pk=pk)])[0]


def _schedule_values(data) -> dict:
    values = dict(data)
    if "scope" in values:  # null ids mean "all", as the empty picks of the page
        values["scope"] = {k: v for k, v in (values["scope"] or {}).items() if v is not None}
    return values


class ReportScheduleListView(generics.ListAPIView):
    """The report schedules the user sees (their own; all of them for roles that see all orders),
    each with its latest generated file; POST creates one owned by the user."""

    serializer_class = ReportScheduleOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportSchedule.objects.none()
        return selectors.schedule_list_for_actor(actor=_report_actor(self.request))

    def list(self, request, *args, **kwargs):
        actor = _report_actor(request)
        page = self.paginate_queryset(selectors.schedule_list_for_actor(actor=actor))
        return self.get_paginated_response(_schedules_out(request, actor, page))

    @extend_schema(request=ReportScheduleInput, responses={201: ReportScheduleOutput})
    def post(self, request):
        actor = _report_actor(request)
        data = ReportScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.report_schedule_create(actor_user=request.user, **_schedule_values(data.validated_data))
        return Response(_schedule_out(request, actor, schedule.pk), status=status.HTTP_201_CREATED)


class ReportScheduleDetailView(APIView):
    """One report schedule: read it (owner or roles that see all orders; others 404), change it
    (PATCH, any subset of the fields, `is_active` pauses and resumes) or delete it — only its owner
    or an administrator (others 403)."""

    @extend_schema(responses=ReportScheduleOutput)
    def get(self, request, pk: int):
        return Response(_schedule_out(request, _report_actor(request), pk))

    @extend_schema(request=ReportScheduleInput(partial=True), responses=ReportScheduleOutput)
    def patch(self, request, pk: int):
        actor = _report_actor(request)
        schedule = selectors.schedule_get_for_actor(actor=actor, pk=pk)
        data = ReportScheduleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.report_schedule_update(actor_user=request.user, schedule=schedule,
                                        **_schedule_values(data.validated_data))
        return Response(_schedule_out(request, actor, pk))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        actor = _report_actor(request)
        schedule = selectors.schedule_get_for_actor(actor=actor, pk=pk)
        services.report_schedule_delete(actor_user=request.user, schedule=schedule)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportScheduleRunView(APIView):
    """Deliver the schedule's latest complete period now (owner or administrator): 201 with the new
    file when generated and emailed, 200 with the existing file when that period was already
    generated (not sent again), 409 when the schedule is paused."""

    @extend_schema(request=None, responses={200: ReportScheduleRunOutput, 201: ReportScheduleRunOutput})
    def post(self, request, pk: int):
        from django.conf import settings

        actor = _report_actor(request)
        schedule = selectors.schedule_get_for_actor(actor=actor, pk=pk)
        generated, created = services.report_schedule_run_now(
            actor_user=request.user, schedule=schedule,
            base_url=settings.KEFU_PUBLIC_BASE_URL.rstrip("/"))
        body = {"created": created, "generated": None}
        if generated is not None:
            body["generated"] = {"id": generated.pk, "period_start": generated.period_start,  # type: ignore[assignment]  # not None on this path (set or checked before)
                                 "period_end": generated.period_end,
                                 "url": reverse("reports:generated_download", args=[generated.pk])}
        return Response(ReportScheduleRunOutput(body).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
