"""QA-check API: list/retrieve, events, and one POST per action (score, appeal, uphold, amend,
raise_corrective_action)."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from kefu.core.errors import NotFound
from kefu.org.selectors import require_actor
from kefu.quality import selectors, services, workflow
from kefu.quality.api.serializers import (
    QACheckActionInput,
    QACheckDetailOutput,
    QACheckEventOutput,
    QACheckOutput,
)
from kefu.quality.filters import QACheckFilterSet
from kefu.quality.models import QACheck


def _actor(request):
    return require_actor(request.user)


class QACheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = QACheckOutput
    filterset_class = QACheckFilterSet
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return QACheck.objects.none()
        return selectors.check_list_for_actor(actor=_actor(self.request)).order_by("-week_start", "agent_id", "id")

    def get_object(self):
        return selectors.check_get_for_actor(actor=_actor(self.request), pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return QACheckDetailOutput if self.action == "retrieve" else QACheckOutput

    @extend_schema(responses=QACheckEventOutput(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        return Response(QACheckEventOutput(selectors.check_events(check=self.get_object()), many=True).data)

    @extend_schema(
        request=QACheckActionInput, responses=QACheckDetailOutput,
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=list(workflow.ACTION_NAMES))],
        description="Take an action on the QA check: " + ", ".join(workflow.ACTION_NAMES) + ".",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[JSONParser])
    def take_action(self, request, pk=None, action_name=None):
        if action_name not in workflow.TRANSITIONS:
            raise NotFound(_("Unknown action: %(action)s") % {"action": action_name}, code="unknown_action")
        check = self.get_object()
        data = QACheckActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k in request.data}
        expected = values.pop("version", None)
        services.qa_check_transition(check=check, action=action_name, actor_user=request.user,
                                     expected_version=expected, **values)
        check = selectors.check_get_for_actor(actor=_actor(request), pk=check.pk)
        return Response(QACheckDetailOutput(check).data)
