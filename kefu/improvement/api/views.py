"""Corrective-action API: list/retrieve/create, events, effect, and one POST per action."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.response import Response

from kefu.core.errors import NotFound
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
from kefu.org.selectors import require_actor


def _actor(request):
    return require_actor(request.user)


class CorrectiveActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CorrectiveActionOutput
    filterset_class = CorrectiveActionFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return CorrectiveAction.objects.none()
        return selectors.notice_list_for_actor(actor=_actor(self.request)).order_by("-created_at", "-id")

    def get_object(self):
        return selectors.notice_get_for_actor(actor=_actor(self.request), pk=self.kwargs["pk"])

    @extend_schema(request=CorrectiveActionCreateInput, responses={201: CorrectiveActionOutput})
    def create(self, request):
        _actor(request)
        data = CorrectiveActionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.corrective_action_create(actor_user=request.user, **data.validated_data)
        notice = selectors.notice_get_for_actor(actor=_actor(request), pk=notice.pk)
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

    @extend_schema(
        request=CorrectiveActionActionInput, responses=CorrectiveActionOutput,
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=list(workflow.ACTION_NAMES))],
        description="Take an action on the notice: " + ", ".join(workflow.ACTION_NAMES) + ".",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[JSONParser, FormParser])
    def take_action(self, request, pk=None, action_name=None):
        if action_name not in workflow.TRANSITIONS:
            raise NotFound(_("Unknown action: %(action)s") % {"action": action_name}, code="unknown_action")
        notice = self.get_object()
        data = CorrectiveActionActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k in request.data}
        expected = values.pop("version", None)
        notice = services.corrective_action_transition(notice=notice, action=action_name, actor_user=request.user,
                                                       expected_version=expected, **values)
        notice = selectors.notice_get_for_actor(actor=_actor(request), pk=notice.pk)
        return Response(CorrectiveActionOutput(notice).data)
