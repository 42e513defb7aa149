"""Callback API: the list (status, due_before, work_order filters), one callback, and recording
an attempt. Thin: selectors read, services write."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kefu.callbacks import selectors, services
from kefu.callbacks.api.serializers import AttemptInput, AttemptOutput, CallbackOutput
from kefu.callbacks.filters import CallbackFilterSet
from kefu.callbacks.models import Callback
from kefu.core.api import ActorRecordViewSet


class CallbackViewSet(ActorRecordViewSet):
    model = Callback
    serializer_class = CallbackOutput
    filterset_class = CallbackFilterSet

    def records(self, actor):
        return selectors.callback_list_for_actor(actor=actor).order_by("due_at", "id")

    def record(self, actor, pk):
        return selectors.callback_get_for_actor(actor=actor, pk=pk)

    @extend_schema(methods=["get"], responses=AttemptOutput(many=True))
    @extend_schema(methods=["post"], request=AttemptInput, responses={201: AttemptOutput})
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def attempts(self, request, pk=None):
        callback = self.get_object()
        if request.method == "GET":
            return Response(AttemptOutput(selectors.callback_attempts(callback=callback), many=True).data)
        data = AttemptInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        attempt = services.callback_attempt_record(callback=callback, actor_user=request.user,
                                                   photo=request.FILES.get("photo"), **values)
        return Response(AttemptOutput(attempt).data, status=status.HTTP_201_CREATED)
