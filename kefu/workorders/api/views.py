"""Work-order API: list/retrieve/create, events, attachments, and one POST per action."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kefu.core.api import ActorRecordViewSet, workflow_action_endpoint
from kefu.sla.api.serializers import ClockOutput
from kefu.sla.selectors import clocks_for_order
from kefu.workorders import selectors, services, workflow
from kefu.workorders.api.serializers import (
    ActionInput,
    AttachmentInput,
    AttachmentOutput,
    CategoryOutput,
    EventOutput,
    WorkOrderCreateInput,
    WorkOrderOutput,
)
from kefu.workorders.filters import WorkOrderFilterSet
from kefu.workorders.models import Category, WorkOrder


class WorkOrderViewSet(ActorRecordViewSet):
    model = WorkOrder
    serializer_class = WorkOrderOutput
    filterset_class = WorkOrderFilterSet
    # Ordering is the FilterSet's `ordering` parameter (shared with the HTML queues).

    def records(self, actor):
        return selectors.work_order_list_for_actor(actor=actor)

    def record(self, actor, pk):
        return selectors.work_order_get_for_actor(actor=actor, pk=pk)

    @extend_schema(request=WorkOrderCreateInput, responses={201: WorkOrderOutput})
    def create(self, request):
        data = WorkOrderCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["tags"] = values.get("tags") or []
        # The answer is the order as the service wrote it (its related rows and tags are the
        # objects it was given): reading it back through the visibility filter cost four queries.
        order = services.work_order_create(actor_user=request.user, **values)
        return Response(WorkOrderOutput(order, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    # A plain array, not a page: no pagination or filters (the schema said a page; issue #15).
    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        order = self.get_object()
        events = selectors.work_order_events(order=order)
        return Response(EventOutput(events, many=True).data)

    @extend_schema(responses=ClockOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def clocks(self, request, pk=None):
        """The order's SLA clocks: due time, remaining business time and state."""
        order = self.get_object()
        return Response(ClockOutput(clocks_for_order(order=order, now=timezone.now()), many=True).data)

    @extend_schema(methods=["get"], responses=AttachmentOutput(many=True))
    @extend_schema(methods=["post"], request={"multipart/form-data": AttachmentInput},
                   responses={201: AttachmentOutput})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser],
            pagination_class=None, filter_backends=[])
    def attachments(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return Response(AttachmentOutput(order.attachments.select_related("uploaded_by__staff"), many=True).data)
        upload = request.FILES.get("file")
        attachment = services.work_order_attachment_add(work_order=order, actor_user=request.user, upload=upload)
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=ActionInput, output_serializer=WorkOrderOutput,
        perform=lambda view, order, action, values, version: services.work_order_transition(
            work_order=order, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="work order", always_sent=("internal",))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategoryOutput
    filterset_fields = ["industry", "parent", "is_active"]
    pagination_class = None

    def get_queryset(self):
        return Category.objects.all().order_by("industry", "sort_order", "code")
