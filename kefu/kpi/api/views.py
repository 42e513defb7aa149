"""KPI API: scorecards (list/retrieve, enter a manual value, sign off) and templates (list,
create — the weights must sum to 100 %, else a 400 naming `indicators`)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from kefu.core.api import ActorRecordViewSet
from kefu.kpi import selectors, services
from kefu.kpi.api.serializers import (
    EnterValueInput,
    ScorecardDetailOutput,
    ScorecardOutput,
    TemplateInput,
    TemplateOutput,
    VersionInput,
)
from kefu.kpi.models import Scorecard, ScorecardTemplate


class ScorecardFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    quarter = django_filters.NumberFilter()
    person = django_filters.NumberFilter(field_name="person_id")
    status = django_filters.CharFilter()

    class Meta:
        model = Scorecard
        fields = ["year", "quarter", "person", "status"]


class ScorecardViewSet(ActorRecordViewSet):
    model = Scorecard
    serializer_class = ScorecardOutput
    filterset_class = ScorecardFilterSet

    def records(self, actor):
        return selectors.scorecard_list_for_actor(actor=actor).order_by("-year", "-quarter", "id")

    def record(self, actor, pk):
        return selectors.scorecard_get_for_actor(actor=actor, pk=pk)

    def get_serializer_class(self):
        return ScorecardDetailOutput if self.action == "retrieve" else ScorecardOutput

    def _fresh(self, request, pk):
        return Response(ScorecardDetailOutput(selectors.scorecard_get_for_actor(actor=request.actor, pk=pk)).data)

    @extend_schema(request=EnterValueInput, responses=ScorecardDetailOutput)
    @action(detail=True, methods=["post"], url_path="enter", parser_classes=[JSONParser])
    def enter(self, request, pk=None):
        """Enter a manual indicator's value (0–100) as the indicator's entering role."""
        scorecard = self.get_object()
        data = EnterValueInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.scorecard_enter_value(scorecard=scorecard, indicator_code=v["indicator"], value=v["value"],
                                       note=v["note"], actor_user=request.user, expected_version=v.get("version"))
        return self._fresh(request, scorecard.pk)

    @extend_schema(request=VersionInput, responses=ScorecardDetailOutput)
    @action(detail=True, methods=["post"], url_path="sign-off", parser_classes=[JSONParser])
    def sign_off(self, request, pk=None):
        """Sign the scorecard off; it is locked afterwards (409 on any later change)."""
        scorecard = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_sign_off(scorecard=scorecard, actor_user=request.user,
                                    expected_version=data.validated_data.get("version"))
        return self._fresh(request, scorecard.pk)

    @extend_schema(request=VersionInput, responses=ScorecardDetailOutput)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def refresh(self, request, pk=None):
        """Recompute the computed lines from the period's records (drafts only)."""
        scorecard = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_refresh(scorecard=scorecard, actor_user=request.user,
                                   expected_version=data.validated_data.get("version"))
        return self._fresh(request, scorecard.pk)


class ScorecardTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TemplateOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScorecardTemplate.objects.none()
        return ScorecardTemplate.objects.prefetch_related("indicators").order_by("code")

    @extend_schema(request=TemplateInput, responses={201: TemplateOutput})
    def create(self, request):
        data = TemplateInput(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.scorecard_template_create(actor_user=request.user, **data.validated_data)
        return Response(TemplateOutput(template).data, status=status.HTTP_201_CREATED)
