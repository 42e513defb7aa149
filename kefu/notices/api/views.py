"""`/api/v1/notices/`: list, create (a draft), read with delivery figures, and
`POST /api/v1/notices/{id}/actions/{submit|approve|send|cancel}/` through the kernel's gate."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.core.api import workflow_action_endpoint
from kefu.notices import selectors, services, workflow
from kefu.notices.api.serializers import NoticeActionInput, NoticeInput, NoticeOutput
from kefu.notices.models import Notice
from kefu.org.selectors import require_actor


def notice_output(notice: Notice) -> dict:
    from kefu.notifications.accounts import account_for
    from kefu.notifications.sms import sms_parts
    from kefu.notifications.templates_text import render

    text = render("notice", "zh-hans", {"title": notice.title, "body": notice.body})[0]
    sign_name = (account_for("sms") or {}).get("sign_name", "")
    data = {name: getattr(notice, name) for name in ("id", "title", "body", "channels", "target", "send_at",
                                                      "urgent", "status", "version", "created_at")}
    data.update(selectors.notice_figures(notice), sms_parts=sms_parts(text, sign_name))
    return NoticeOutput(data).data


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NoticeOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        return selectors.notice_list_for_actor(actor=require_actor(self.request.user))

    def get_object(self):
        return selectors.notice_get_for_actor(actor=require_actor(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(responses=NoticeOutput(many=True))
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [notice_output(n) for n in (page if page is not None else self.get_queryset()[:100])]
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(responses=NoticeOutput)
    def retrieve(self, request, *args, **kwargs):
        return Response(notice_output(self.get_object()))

    @extend_schema(request=NoticeInput, responses=NoticeOutput)
    def create(self, request):
        data = NoticeInput(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_create(actor_user=request.user, **data.validated_data)
        return Response(notice_output(notice), status=status.HTTP_201_CREATED)

    take_action = workflow_action_endpoint(
        table=workflow.TABLE, input_serializer=NoticeActionInput, output_serializer=NoticeOutput,
        perform=lambda view, obj, action, values, version: services.notice_transition(
            notice=obj, action=action, actor_user=view.request.user, expected_version=version, **values),
        subject="notice", output=lambda view, obj: notice_output(obj))
