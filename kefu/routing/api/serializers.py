"""Routing-rule and absence API bodies (`/api/v1/routing-rules/`, `/api/v1/routing-absences/`)."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from kefu.customers.models import Building, Site
from kefu.org.models import Department
from kefu.routing.choices import Assignment
from kefu.routing.models import MemberAbsence, RoutingRule
from kefu.workorders.choices import Channel, WorkOrderType
from kefu.workorders.models import Category


class RoutingRuleOutput(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    is_default = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoutingRule
        fields = ["id", "name", "priority", "type", "category", "site", "building", "channel", "complaint_level",
                  "time_from", "time_until", "team", "team_name", "assignment", "is_active", "is_default",
                  "created_at"]
        read_only_fields = fields


class RoutingRuleInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    priority = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000, required=False)
    type = serializers.ChoiceField(choices=WorkOrderType.choices, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False,
                                                  allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    complaint_level = serializers.IntegerField(min_value=1, max_value=3, required=False, allow_null=True)
    time_from = serializers.TimeField(required=False, allow_null=True)
    time_until = serializers.TimeField(required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    assignment = serializers.ChoiceField(choices=Assignment.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class RoutingRuleUpdateInput(RoutingRuleInput):
    team = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)


class MemberAbsenceSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(staff__isnull=False))

    class Meta:
        model = MemberAbsence
        fields = ["id", "user", "starts_at", "ends_at", "reason"]
        read_only_fields = ["id"]
