"""The portal API (/api/v1/portal/…): what the /m/ pages use, and a mini-program could.

Sign-in by SMS code (no authentication), then `Authorization: Bearer <token>` with a portal token
(never a staff token). Everything a customer asks for that is not theirs is a 404. Views are thin:
the rules live in kefu.portal.services and .selectors.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.auth import client_ip
from kefu.core.errors import NotFound
from kefu.portal import selectors, services
from kefu.portal.authentication import IsPortalCustomer, PortalTokenAuthentication
from kefu.workorders.models import WorkOrder


class PortalCodeInput(serializers.Serializer[Any]):
    phone = serializers.CharField(max_length=40)


class PortalTokenInput(serializers.Serializer[Any]):
    phone = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=12)
    consent = serializers.BooleanField(required=False, default=False)


class PortalTokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()
    consent_required = serializers.BooleanField()


class PortalUnitOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    site = serializers.CharField(source="site.name", default="")
    building = serializers.CharField(source="building.name", default="")


class PortalAttachmentOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class PortalStepOutput(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    text = serializers.CharField()
    from_customer = serializers.BooleanField(required=False)


class PortalOrderOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    category = serializers.CharField(source="category.name")
    unit = serializers.CharField(source="asset.code", default="")
    received_at = serializers.DateTimeField()
    promised_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class PortalOrderDetailOutput(PortalOrderOutput):
    description = serializers.CharField()
    resolution = serializers.CharField()
    can_cancel = serializers.SerializerMethodField()
    can_confirm = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    def get_can_cancel(self, order: WorkOrder) -> bool:
        return order.status == "new"

    def get_can_confirm(self, order: WorkOrder) -> bool:
        return selectors.confirmable(order)

    @extend_schema(exclude=True)
    def get_timeline(self, order: WorkOrder) -> list[dict[str, Any]]:
        return PortalStepOutput(selectors.timeline(order=order), many=True).data  # type: ignore[return-value]

    def get_attachments(self, order: WorkOrder) -> list[dict[str, Any]]:
        return PortalAttachmentOutput(order.attachments.order_by("id"), many=True).data  # type: ignore[return-value]


class PortalReportInput(serializers.Serializer[Any]):
    type = serializers.CharField(max_length=20)
    unit = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.IntegerField()
    text = serializers.CharField(max_length=services.MAX_TEXT)
    slots = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=10)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)


class PortalConfirmInput(serializers.Serializer[Any]):
    solved = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_MESSAGE)
    signature = serializers.CharField(required=False, allow_blank=True, max_length=400_000)


class PortalConfirmOutput(serializers.Serializer[Any]):
    solved = serializers.BooleanField()
    status = serializers.CharField()
    rating_url = serializers.CharField(allow_null=True)


class PortalMessageInput(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=services.MAX_MESSAGE)


class PortalCancelInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False, min_value=1)


class PortalNoticeOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PortalView(APIView):
    authentication_classes = [PortalTokenAuthentication]
    permission_classes = [IsPortalCustomer]

    @property
    def account(self) -> Any:
        return self.request.user.account  # type: ignore[union-attr]

    def order(self, pk: Any) -> WorkOrder:
        order = selectors.order_get(account=self.account, pk=pk)
        if order is None:
            raise NotFound(_("Work order not found."))
        return order


class CodeView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=PortalCodeInput, responses={202: None, 400: None, 429: None},
                   summary="Send a sign-in code by SMS (202 for every well-formed number)")
    def post(self, request: Request) -> Response:
        services.code_request(phone=request.data.get("phone"), ip=client_ip(request) or "")
        return Response({"detail": _("If this number can receive SMS, a code is on its way.")},
                        status=status.HTTP_202_ACCEPTED)


class TokenView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=PortalTokenInput, responses={200: PortalTokenOutput, 400: None, 429: None},
                   summary="Exchange the code for a portal token")
    def post(self, request: Request) -> Response:
        consent = request.data.get("consent") in (True, "true", "1", "on")
        account, key = services.token_for_code(phone=request.data.get("phone"), code=request.data.get("code"),
                                               ip=client_ip(request) or "", consent=consent)
        return Response({"token": key, "consent_required": account.consent_at is None})


class LogoutView(PortalView):
    @extend_schema(request=None, responses={204: None}, summary="Sign out (the token stops working)")
    def post(self, request: Request) -> Response:
        services.token_revoke(key=str(request.auth))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentView(PortalView):
    @extend_schema(request=None, responses={204: None}, summary="Record the personal-data notice as accepted")
    def post(self, request: Request) -> Response:
        services.consent_record(account=self.account)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnitsView(PortalView):
    @extend_schema(responses=PortalUnitOutput(many=True), summary="My units")
    def get(self, request: Request) -> Response:
        return Response(PortalUnitOutput(selectors.units_for(account=self.account), many=True).data)


class UnitView(PortalView):
    @extend_schema(responses=PortalUnitOutput, summary="One of my units")
    def get(self, request: Request, pk: int) -> Response:
        unit = selectors.unit_for_account(account=self.account, pk=pk)
        if unit is None:
            raise NotFound(_("Unit not found."))
        return Response(PortalUnitOutput(unit).data)


class CategoriesView(PortalView):
    @extend_schema(responses=inline_serializer("PortalCategory", {"id": serializers.IntegerField(),
                                                                  "name": serializers.CharField()}, many=True),
                   summary="Categories a customer may choose for a type (?type=repair)")
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("type", "repair")
        rows = selectors.categories_for(type=kind) if kind in services.REPORT_TYPES else []
        return Response([{"id": c.pk, "name": str(c)} for c in rows])


class OrdersView(PortalView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=PortalOrderOutput(many=True), summary="My orders (my units' and my own), newest first")
    def get(self, request: Request) -> Response:
        rows = selectors.orders_for(account=self.account)[:100]
        return Response(PortalOrderOutput(rows, many=True).data)

    @extend_schema(request={"multipart/form-data": PortalReportInput, "application/json": PortalReportInput},
                   responses={201: PortalOrderDetailOutput, 400: None}, summary="Report a request (up to 6 photos)")
    def post(self, request: Request) -> Response:
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        slots = request.data.getlist("slots") if hasattr(request.data, "getlist") else request.data.get("slots")
        order = services.portal_report(account=self.account, type=request.data.get("type"),
                                       unit=request.data.get("unit"), category=request.data.get("category"),
                                       text=request.data.get("text"), photos=photos, slots=slots or [])
        return Response(PortalOrderDetailOutput(self.order(order.pk)).data, status=status.HTTP_201_CREATED)


class OrderView(PortalView):
    @extend_schema(responses=PortalOrderDetailOutput, summary="One of my orders with its timeline in plain words")
    def get(self, request: Request, pk: int) -> Response:
        return Response(PortalOrderDetailOutput(self.order(pk)).data)


class ConfirmView(PortalView):
    @extend_schema(request=PortalConfirmInput, responses={200: PortalConfirmOutput, 400: None, 404: None, 409: None},
                   summary="Confirm a resolved order (solved), or reopen it (not solved, with a comment)")
    def post(self, request: Request, pk: int) -> Response:
        values = _valid(PortalConfirmInput, request.data)
        confirmation = services.portal_confirm(account=self.account, order=pk, solved=values["solved"],
                                               comment=values.get("comment", ""),
                                               signature=values.get("signature", ""))
        url = None
        if confirmation.solved:
            from kefu.callbacks.services import rating_url

            token = services.rating_link_for(account=self.account, order=pk)
            url = rating_url(token) if token else None
        order = self.order(pk)
        return Response({"solved": confirmation.solved, "status": order.status, "rating_url": url})


class MessagesView(PortalView):
    @extend_schema(responses=PortalStepOutput(many=True), summary="The order's messages (both ways)")
    def get(self, request: Request, pk: int) -> Response:
        steps = [s for s in selectors.timeline(order=self.order(pk)) if s["kind"] == "message"]
        return Response(PortalStepOutput(steps, many=True).data)

    @extend_schema(request=PortalMessageInput, responses={201: PortalStepOutput, 400: None, 404: None},
                   summary="Send a message to the center about the order")
    def post(self, request: Request, pk: int) -> Response:
        order = self.order(pk)
        services.portal_message(account=self.account, order=order, text=request.data.get("text"))
        last = [s for s in selectors.timeline(order=order) if s["kind"] == "message"][-1]
        return Response(PortalStepOutput(last).data, status=status.HTTP_201_CREATED)


class CancelView(PortalView):
    @extend_schema(request=PortalCancelInput, responses={200: PortalOrderDetailOutput, 404: None, 409: None},
                   summary="Cancel my order while nobody has taken it")
    def post(self, request: Request, pk: int) -> Response:
        values = _valid(PortalCancelInput, request.data)
        services.portal_cancel(account=self.account, order=pk, reason=values.get("reason", ""),
                               expected_version=values.get("version"))
        return Response(PortalOrderDetailOutput(self.order(pk)).data)


class AttachmentView(PortalView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="A photo of my order")
    def get(self, request: Request, pk: int, attachment_pk: int) -> FileResponse:
        attachment = selectors.attachment_get(account=self.account, order_pk=pk, pk=attachment_pk)
        if attachment is None:
            raise NotFound(_("Attachment not found."))
        return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            filename=attachment.original_name)


class NoticesView(PortalView):
    @extend_schema(responses=PortalNoticeOutput(many=True), summary="Announcements sent to me")
    def get(self, request: Request) -> Response:
        return Response(PortalNoticeOutput(selectors.notices_for(account=self.account), many=True).data)


class NoticeView(PortalView):
    @extend_schema(responses=PortalNoticeOutput, summary="One announcement sent to me")
    def get(self, request: Request, pk: int) -> Response:
        notice = selectors.notice_get(account=self.account, pk=pk)
        if notice is None:
            raise NotFound(_("Notice not found."))
        return Response(PortalNoticeOutput(notice).data)
