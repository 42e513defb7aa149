"""The API side of the workflow kernel: one `POST …/{id}/actions/{name}/` endpoint per workflow.

    class NoticeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        take_action = workflow_action_endpoint(
            table=workflow.TABLE, input_serializer=NoticeActionInput, output_serializer=NoticeOutput,
            perform=lambda view, obj, action, values, version: services.notice_transition(
                notice=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
            subject="notice")

Viewsets of such records derive from `ActorRecordViewSet` (list and retrieve of what
`request.actor` may see) and say only how to read them (`records`, `record`).

The endpoint refuses an unknown action with 404 `unknown_action` before reading the record,
validates the body with the input serializer, passes on only the fields the client sent (so an
omitted field is "not given", not "empty"), takes `version` as the expected version, and answers
with the record as the actor now sees it (`view.get_object()` again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from kefu.core.workflow import Table, unknown_action

Perform = Callable[[Any, Any, str, dict[str, Any], int | None], Any]


def workflow_action_endpoint(*, table: Table, input_serializer: type[Serializer[Any]],
                             output_serializer: type[Serializer[Any]], perform: Perform, subject: str,
                             always_sent: Iterable[str] = (), parsers: Iterable[type] | None = None,
                             output: Callable[[Any, Any], Any] | None = None) -> Any:
    """A DRF `@action` taking the workflow's actions (see the module docstring).

    `always_sent`: input fields passed on even when the client omitted them (their serializer
    default applies, e.g. a comment's `internal`). `output(view, obj)`: the body of the answer,
    default the output serializer over `view.get_object()`."""
    names = list(table.names)
    sent_always = frozenset(always_sent)

    @extend_schema(
        request=input_serializer, responses=output_serializer,
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=names)],
        description=f"Take an action on the {subject}: " + ", ".join(names) + ".",
    )
    @drf_action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
                parser_classes=list(parsers or (JSONParser, FormParser, MultiPartParser)))
    def take_action(view: Any, request: Request, pk: Any = None, action_name: str | None = None) -> Response:
        if action_name is None or action_name not in table:
            raise unknown_action(str(action_name))
        obj = view.get_object()
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k in request.data or k in sent_always}
        expected = values.pop("version", None)
        perform(view, obj, action_name, values, expected)
        obj = view.get_object()
        body = output(view, obj) if output is not None else output_serializer(
            obj, context=view.get_serializer_context()).data
        return Response(body)

    return take_action


# List and retrieve the records `request.actor` may see (the default permission admits active
# staff only, so the actor is set). Subclasses set `model`, `serializer_class`, `filterset_class`
# and define `records(actor)` (the visible rows, ordered) and `record(actor, pk)` (one of them;
# NotFound when not visible). No docstring: drf-spectacular would print it on every endpoint.
class ActorRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]

    model: type[Model]
    filter_backends = [DjangoFilterBackend]

    def records(self, actor: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def record(self, actor: Any, pk: Any) -> Model:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model._default_manager.none()
        return self.records(self.request.actor)  # type: ignore[attr-defined]  # set by ActorMiddleware

    def get_object(self) -> Model:
        return self.record(self.request.actor, self.kwargs["pk"])  # type: ignore[attr-defined]
