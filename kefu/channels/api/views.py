"""Channel-account API (`/api/v1/channel-accounts/`): list, create, read, change. Thin:
selectors read, services write."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.channels import conversations, selectors, services
from kefu.channels.api.serializers import (
    CallOutput,
    ChannelAccountChangeInput,
    ChannelAccountInput,
    ChannelAccountOutput,
    ConversationActionInput,
    ConversationOutput,
)
from kefu.channels.choices import ConversationStatus
from kefu.channels.models import Call, ChannelAccount, Conversation
from kefu.core.api import workflow_action_endpoint
from kefu.core.errors import field_error
from kefu.org.models import Department
from kefu.org.selectors import require_actor


class ChannelAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ChannelAccountOutput
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChannelAccount.objects.none()
        qs = selectors.channel_account_list_for_actor(actor=require_actor(self.request.user))
        kind = self.request.query_params.get("kind")
        return qs.filter(kind=kind) if kind else qs

    def get_object(self):
        return selectors.channel_account_get_for_actor(actor=require_actor(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=ChannelAccountInput, responses={201: ChannelAccountOutput})
    def create(self, request):
        data = ChannelAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        department = Department.objects.filter(pk=values.pop("department"), is_active=True).first()
        if department is None:
            raise field_error("department", _("Department not found."))
        account = services.channel_account_create(actor_user=request.user, department=department, **values)
        return Response(ChannelAccountOutput(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChannelAccountChangeInput, responses=ChannelAccountOutput)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        data = ChannelAccountChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.channel_account_update(account=account, actor_user=request.user, **data.validated_data)
        return Response(ChannelAccountOutput(account).data)


def _account_param(request) -> str | None:
    value = request.query_params.get("account")
    if value not in (None, "") and not str(value).isdigit():
        raise field_error("account", _("account must be a channel account id."))
    return value


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Call records of the lines the actor may see (`?account=<id>`)."""

    serializer_class = CallOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Call.objects.none()
        return selectors.call_list_for_actor(actor=require_actor(self.request.user),
                                             account_id=_account_param(self.request))


class ConversationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Conversations with their messages (`?account=<id>&status=open`); actions convert, append, close."""

    serializer_class = ConversationOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        status_value = self.request.query_params.get("status") or None
        if status_value and status_value not in ConversationStatus.values:
            raise field_error("status", _("Unknown status."))
        return selectors.conversation_list_for_actor(actor=require_actor(self.request.user),
                                                     account_id=_account_param(self.request), status=status_value)

    def get_object(self):
        return selectors.conversation_get_for_actor(actor=require_actor(self.request.user), pk=self.kwargs["pk"])

    take_action = workflow_action_endpoint(
        table=conversations.TABLE, input_serializer=ConversationActionInput, output_serializer=ConversationOutput,
        perform=lambda view, obj, action, values, version: conversations.conversation_transition(
            conversation=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="conversation")
