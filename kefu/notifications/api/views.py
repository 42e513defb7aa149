"""The signed-in user's own notification preferences: read, replace (PUT) or change some (PATCH)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.notifications import selectors, services
from kefu.notifications.api.serializers import (
    NotificationPreferenceInput,
    NotificationPreferenceOutput,
    OrderMessageOutput,
)
from kefu.notifications.channels import adapter_info
from kefu.notifications.models import Channel

FIELDS = ["email_enabled", "email_actions", "sms_enabled", "wechat_enabled"]


def _output(pref) -> dict:
    data = {name: getattr(pref, name) for name in FIELDS}
    data["channels"] = [adapter_info(channel) for channel in (Channel.EMAIL, Channel.SMS, Channel.WECHAT)]
    return NotificationPreferenceOutput(data).data


class NotificationPreferenceMeView(APIView):
    @extend_schema(responses=NotificationPreferenceOutput)
    def get(self, request):
        return Response(_output(selectors.notification_preference_for_user(user=request.user)))

    @extend_schema(request=NotificationPreferenceInput, responses=NotificationPreferenceOutput)
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(request=NotificationPreferenceInput, responses=NotificationPreferenceOutput)
    def patch(self, request):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        data = NotificationPreferenceInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        current = selectors.notification_preference_for_user(user=request.user)
        values = {name: data.validated_data.get(name, getattr(current, name)) for name in FIELDS}
        pref = services.notification_preference_update(user=request.user, **values)
        return Response(_output(pref))


class WorkOrderMessagesView(APIView):
    """`GET /api/v1/work-orders/{id}/messages/`: what was sent (or not, and why) to the customer
    about an order the reader may see (404 otherwise), oldest first, addresses masked."""

    @extend_schema(responses=OrderMessageOutput(many=True))
    def get(self, request, pk):
        from kefu.org.selectors import require_actor
        from kefu.workorders.selectors import work_order_get_for_actor

        order = work_order_get_for_actor(actor=require_actor(request.user), pk=pk)
        rows = selectors.order_messages_for_user(user=request.user, order=order)
        return Response(OrderMessageOutput(rows, many=True).data)
