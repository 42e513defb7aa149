"""Routing API: rules (list, read, create, change) and members' absences; supervisors and above."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.core.errors import NotFound
from kefu.routing import selectors, services
from kefu.routing.api.serializers import (
    MemberAbsenceSerializer,
    RoutingRuleInput,
    RoutingRuleOutput,
    RoutingRuleUpdateInput,
)
from kefu.routing.models import MemberAbsence, RoutingRule


def _manager(request):
    return services._require_manager(request.user)


class RoutingRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rules in precedence order (`priority`, lowest first); the first match routes a new order."""

    serializer_class = RoutingRuleOutput
    pagination_class = None  # a handful of rules, always read whole and in order

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoutingRule.objects.none()
        _manager(self.request)
        return selectors.rule_list()

    def get_object(self):
        rule = self.get_queryset().filter(pk=self.kwargs["pk"]).first() if str(self.kwargs["pk"]).isdigit() else None
        if rule is None:
            raise NotFound(_("Routing rule not found."))
        return rule

    @extend_schema(request=RoutingRuleInput, responses={201: RoutingRuleOutput})
    def create(self, request):
        _manager(request)
        data = RoutingRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.routing_rule_create(actor_user=request.user, **data.validated_data)
        return Response(RoutingRuleOutput(selectors.rule_list().get(pk=rule.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoutingRuleUpdateInput, responses=RoutingRuleOutput)
    def partial_update(self, request, pk=None):
        rule = self.get_object()
        data = RoutingRuleUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rule = services.routing_rule_update(rule=rule, actor_user=request.user, **data.validated_data)
        return Response(RoutingRuleOutput(selectors.rule_list().get(pk=rule.pk)).data)


class MemberAbsenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Members away (routing skips them while the absence lasts)."""

    serializer_class = MemberAbsenceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberAbsence.objects.none()
        _manager(self.request)
        return MemberAbsence.objects.order_by("-starts_at", "-id")

    @extend_schema(request=MemberAbsenceSerializer, responses={201: MemberAbsenceSerializer})
    def create(self, request):
        _manager(request)
        data = MemberAbsenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        absence = services.member_absence_create(actor_user=request.user, **data.validated_data)
        return Response(MemberAbsenceSerializer(absence).data, status=status.HTTP_201_CREATED)
