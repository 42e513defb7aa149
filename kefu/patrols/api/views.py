"""Patrol API: routes, rounds (missed/late filters), one POST per checkpoint with its answers,
findings turned into work orders, and the site-walk standard per person and week."""

import json
from datetime import date, datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kefu.core.errors import NotFound, field_error
from kefu.org.selectors import require_actor
from kefu.patrols import selectors, services
from kefu.patrols.api.serializers import (
    FindingOrderInput,
    FindingOutput,
    RoundOutput,
    RouteInput,
    RouteOutput,
    StandardRow,
    VisitInput,
)
from kefu.patrols.choices import RoundStatus
from kefu.patrols.models import CheckpointVisit, Finding, PatrolRound, PatrolRoute


def _actor(request):
    return require_actor(request.user)


class PatrolRouteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RouteOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolRoute.objects.none()
        return selectors.route_list_for_actor(actor=_actor(self.request))

    @extend_schema(request=RouteInput, responses={201: RouteOutput})
    def create(self, request):
        data = RouteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        route = services.patrol_route_create(actor_user=request.user, **{
            **values, "checkpoints": [{**cp, "items": [dict(i) for i in cp["items"]]} for cp in values["checkpoints"]]})
        return Response(RouteOutput(self.get_queryset().get(pk=route.pk)).data, status=status.HTTP_201_CREATED)


class PatrolRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RoundOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolRound.objects.none()
        qs = selectors.round_list_for_actor(actor=_actor(self.request)).prefetch_related(
            Prefetch("visits", CheckpointVisit.objects.only("id", "round_id", "checkpoint_id")))
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in RoundStatus.values:
                raise field_error("status", _("“%(value)s” is not a valid choice for %(field)s.") % {
                    "value": params["status"], "field": "status"})
            qs = qs.filter(status=params["status"])
        if params.get("late") in ("true", "1"):
            qs = qs.filter(is_late=True)
        if params.get("assignee", "").isdigit():
            qs = qs.filter(assignee_id=int(params["assignee"]))
        if params.get("week"):
            start = _week(params["week"])
            begin = datetime.combine(start, datetime.min.time(), tzinfo=timezone.get_current_timezone())
            qs = qs.filter(due_at__gte=begin, due_at__lt=begin + timedelta(days=7))
        return qs

    def get_object(self):
        return selectors.round_get_for_actor(actor=_actor(self.request), pk=self.kwargs["pk"])

    @extend_schema(request=VisitInput, responses=RoundOutput,
                   parameters=[OpenApiParameter("checkpoint", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"], url_path=r"checkpoints/(?P<checkpoint>[0-9]+)",
            parser_classes=[JSONParser, MultiPartParser, FormParser])
    def checkpoint(self, request, pk=None, checkpoint=None):
        """Record one checkpoint of the round: the tag read, the phone's time, the answers."""
        round = self.get_object()
        body = request.data
        if hasattr(body, "getlist"):  # multipart: answers travel as JSON text beside the photos
            try:
                body = {**{k: body.get(k) for k in body}, "answers": json.loads(body.get("answers") or "[]")}
            except ValueError:
                raise field_error("answers", _("Send the answers as a list.")) from None
        data = VisitInput(data=body)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        photos = {key[len("photo_"):]: f for key, f in request.FILES.items() if key.startswith("photo_")}
        services.patrol_round_visit(round=round, checkpoint_id=checkpoint, actor_user=request.user, tag=values["tag"],
                                    answers=[dict(a) for a in values["answers"]], visited_at=values.get("visited_at"),
                                    photos=photos, expected_version=values.get("version"))
        return Response(RoundOutput(self.get_queryset().get(pk=round.pk)).data)

    @extend_schema(responses=FindingOutput(many=True))
    @action(detail=True, methods=["get"])
    def findings(self, request, pk=None):
        round = self.get_object()
        return Response(FindingOutput(Finding.objects.filter(round=round).select_related("item", "checkpoint"),
                                      many=True).data)

    @extend_schema(responses=StandardRow(many=True), parameters=[OpenApiParameter("week", str)])
    @action(detail=False, methods=["get"])
    def standard(self, request):
        """The site-walk standard per person for the week (Monday–Sunday) containing `week`."""
        week = _week(request.query_params.get("week") or timezone.localdate().isoformat())
        rows = selectors.site_walk_standard(actor=_actor(request), week=week)
        for row in rows:
            row["url"] = f"/api/v1/patrol-rounds/?assignee={row['assignee']}&week={row['week']}"
        return Response(StandardRow(rows, many=True).data)


def _week(value: str) -> date:
    try:
        return selectors.week_start(date.fromisoformat(value))
    except ValueError:
        raise field_error("week", _("Enter a date (YYYY-MM-DD).")) from None


class PatrolFindingViewSet(viewsets.GenericViewSet):
    serializer_class = FindingOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        visible = selectors.round_list_for_actor(actor=_actor(self.request)).values("pk")
        return Finding.objects.filter(round__in=visible).select_related("item", "checkpoint")

    @extend_schema(request=FindingOrderInput, responses={201: FindingOutput})
    @action(detail=True, methods=["post"], url_path="work-order")
    def work_order(self, request, pk=None):
        """Turn the finding into a pre-filled repair order (channel: patrol finding)."""
        finding = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if finding is None:
            raise NotFound(_("Finding not found."))
        data = FindingOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        category = None
        if values.get("category"):
            from kefu.workorders.models import Category

            category = Category.objects.filter(pk=values["category"]).first()
            if category is None:
                raise field_error("category", _("Unknown category."))
        services.finding_to_work_order(finding=finding, actor_user=request.user, category=category,
                                       title=values.get("title", ""), description=values.get("description", ""))
        return Response(FindingOutput(self.get_queryset().get(pk=finding.pk)).data, status=status.HTTP_201_CREATED)
