"""Report API: the service analysis, the per-type reports and the drill-down order lists."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import NotAllowed, NotFound
from kefu.org.selectors import actor_for_user
from kefu.reports import selectors
from kefu.reports.api.serializers import ReportQuery, ServiceAnalysisOutput
from kefu.reports.choices import KIND_TYPES
from kefu.workorders.api.serializers import WorkOrderOutput
from kefu.workorders.models import WorkOrder


def _actor(request):
    actor = actor_for_user(request.user)
    if actor is None:
        raise NotAllowed(_("Only active staff may do this."))
    return selectors.require_report_actor(actor)


def _truthy(value) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")


class ServiceAnalysisView(APIView):
    """The service analysis of a period (dates inclusive, site zone) and scope; every figure with
    its numerator, denominator and the URL of the orders behind it."""

    @extend_schema(parameters=[ReportQuery], responses=ServiceAnalysisOutput)
    def get(self, request):
        actor = _actor(request)
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
        actor = _actor(request)
        if report not in KIND_TYPES:
            raise NotFound(_("Unknown report."))
        scope = selectors.parse_scope(request.query_params)
        period = selectors.parse_period(request.query_params, scope)
        return Response(selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report]))


class ReportOrdersView(generics.ListAPIView):
    """The work orders behind a report figure (the parameters of its drill-down URL); the list's
    `count` is the figure."""

    serializer_class = WorkOrderOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        qs, _meta = selectors.drill_orders(actor=_actor(self.request), params=self.request.query_params)
        return qs
