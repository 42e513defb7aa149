"""QA-check API: list/retrieve, events, and one POST per action (score, appeal, uphold, amend,
raise_corrective_action)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from kefu.core.api import ActorRecordViewSet, workflow_action_endpoint
from kefu.quality import selectors, services, workflow
from kefu.quality.api.serializers import (
    QACheckActionInput,
    QACheckDetailOutput,
    QACheckEventOutput,
    QACheckOutput,
)
from kefu.quality.filters import QACheckFilterSet
from kefu.quality.models import QACheck


class QACheckViewSet(ActorRecordViewSet):
    model = QACheck
    serializer_class = QACheckOutput
    filterset_class = QACheckFilterSet

    def records(self, actor):
        return selectors.check_list_for_actor(actor=actor).order_by("-week_start", "agent_id", "id")

    def record(self, actor, pk):
        return selectors.check_get_for_actor(actor=actor, pk=pk)

    def get_serializer_class(self):
        return QACheckDetailOutput if self.action == "retrieve" else QACheckOutput

    @extend_schema(responses=QACheckEventOutput(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        return Response(QACheckEventOutput(selectors.check_events(check=self.get_object()), many=True).data)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=QACheckActionInput, output_serializer=QACheckDetailOutput,
        perform=lambda view, check, action, values, version: services.qa_check_transition(
            check=check, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="QA check", parsers=(JSONParser,))
