"""Corrective-action API: list/retrieve/create, events, effect, and one POST per action."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.response import Response

from kefu.core.api import ActorRecordViewSet, workflow_action_endpoint
from kefu.improvement import selectors, services, workflow
from kefu.improvement.api.serializers import (
    CorrectiveActionActionInput,
    CorrectiveActionCreateInput,
    CorrectiveActionEffectOutput,
    CorrectiveActionEventOutput,
    CorrectiveActionOutput,
)
from kefu.improvement.filters import CorrectiveActionFilterSet
from kefu.improvement.models import CorrectiveAction


class CorrectiveActionViewSet(ActorRecordViewSet):
    model = CorrectiveAction
    serializer_class = CorrectiveActionOutput
    filterset_class = CorrectiveActionFilterSet

    def records(self, actor):
        return selectors.notice_list_for_actor(actor=actor).order_by("-created_at", "-id")

    def record(self, actor, pk):
        return selectors.notice_get_for_actor(actor=actor, pk=pk)

    @extend_schema(request=CorrectiveActionCreateInput, responses={201: CorrectiveActionOutput})
    def create(self, request):
        data = CorrectiveActionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.corrective_action_create(actor_user=request.user, **data.validated_data)
        notice = selectors.notice_get_for_actor(actor=request.actor, pk=notice.pk)
        return Response(CorrectiveActionOutput(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CorrectiveActionEventOutput(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        notice = self.get_object()
        return Response(CorrectiveActionEventOutput(selectors.notice_events(notice=notice), many=True).data)

    @extend_schema(responses={200: CorrectiveActionEffectOutput, 204: None})
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None):
        """The survey item's rate before and after the notice; 204 without a survey item or surveys."""
        effect = selectors.notice_effect(notice=self.get_object())
        if effect is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CorrectiveActionEffectOutput(effect).data)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=CorrectiveActionActionInput, output_serializer=CorrectiveActionOutput,
        perform=lambda view, notice, action, values, version: services.corrective_action_transition(
            notice=notice, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="notice", parsers=(JSONParser, FormParser))
