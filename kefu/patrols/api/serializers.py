"""Patrol API bodies: routes with nested checkpoints and items, rounds, visits, findings."""

from rest_framework import serializers

from kefu.customers.models import Site
from kefu.org.models import Department
from kefu.patrols.choices import ItemKind
from kefu.patrols.models import ChecklistItem, Checkpoint, Finding, PatrolRound, PatrolRoute


class ItemOutput(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "sequence", "text", "kind", "unit", "min_value", "max_value"]
        read_only_fields = fields


class CheckpointOutput(serializers.ModelSerializer):
    items = ItemOutput(many=True, read_only=True)

    class Meta:
        model = Checkpoint
        fields = ["id", "sequence", "name", "tag", "location", "items"]
        read_only_fields = fields


class RouteOutput(serializers.ModelSerializer):
    checkpoints = CheckpointOutput(many=True, read_only=True)

    class Meta:
        model = PatrolRoute
        fields = ["id", "name", "department", "site", "description", "is_active", "checkpoints", "created_at"]
        read_only_fields = fields


class ItemInput(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.PASS_FAIL)
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    min_value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    max_value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)


class CheckpointInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    tag = serializers.CharField(max_length=64)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    items = ItemInput(many=True)


class RouteInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    checkpoints = CheckpointInput(many=True)


class RoundOutput(serializers.ModelSerializer):
    route_name = serializers.CharField(source="route.name", read_only=True)
    visited = serializers.SerializerMethodField()

    class Meta:
        model = PatrolRound
        fields = ["id", "route", "route_name", "assignee", "period", "status", "version", "due_at", "late_after",
                  "missed_after", "started_at", "completed_at", "is_late", "escalation_step", "visited"]
        read_only_fields = fields

    def get_visited(self, obj: PatrolRound) -> list[int]:
        return sorted(v.checkpoint_id for v in obj.visits.all())


class AnswerInput(serializers.Serializer):
    item = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["pass", "fail"], required=False)
    value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VisitInput(serializers.Serializer):
    """One checkpoint's answers. Multipart: `answers` as a JSON string and `photo_<item id>` files."""

    tag = serializers.CharField(max_length=64)
    visited_at = serializers.DateTimeField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)
    answers = AnswerInput(many=True)


class FindingOutput(serializers.ModelSerializer):
    item_text = serializers.CharField(source="item.text", read_only=True)
    checkpoint_name = serializers.CharField(source="checkpoint.name", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "round", "checkpoint", "checkpoint_name", "item", "item_text", "status", "work_order",
                  "created_at"]
        read_only_fields = fields


class FindingOrderInput(serializers.Serializer):
    category = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class StandardRow(serializers.Serializer):
    assignee = serializers.IntegerField()
    name = serializers.CharField()
    week = serializers.CharField()
    due = serializers.IntegerField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    met = serializers.BooleanField()
    url = serializers.CharField()
