"""Input/output serializers for corrective action notices. `status` is read-only everywhere: state
changes are POSTed as actions and go through `corrective_action_transition`."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kefu.improvement.models import CorrectiveAction, CorrectiveActionEvent
from kefu.org.models import Department
from kefu.workorders.api.serializers import UserRefField


class CorrectiveActionOutput(serializers.ModelSerializer):
    owner = UserRefField()
    issued_by = UserRefField()
    responsible_department_name = serializers.CharField(source="responsible_department.display_name",
                                                        read_only=True, default=None)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "number", "status", "version", "round", "title", "source", "reference", "nonconformity", "evidence",
            "item_code", "responsible_department", "responsible_department_name", "owner", "due_date", "is_overdue",
            "root_cause", "action_taken", "verification", "issued_by", "issuer_role", "issued_at", "verified_at",
            "closed_at", "escalation_step", "created_at", "updated_at",
        ]
        read_only_fields = fields


class CorrectiveActionEvidenceInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["work_order", "survey_item", "qa_check", "link"], default="link")
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")  # type: ignore[assignment]  # a serializer field named like a Field attribute, as DRF allows
    url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CorrectiveActionCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    nonconformity = serializers.CharField(max_length=10000)
    responsible_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.select_related("staff__department"))
    due_date = serializers.DateField()
    evidence = CorrectiveActionEvidenceInput(many=True, required=False)
    item_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CorrectiveActionActionInput(serializers.Serializer):
    """The union of all action bodies; `corrective_action_transition` checks which are required."""

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Optional: refuse with 409 if the notice changed since."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    responsible_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.select_related("staff__department"), required=False)
    due_date = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    root_cause = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    action_taken = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    verification = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    body = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class CorrectiveActionEventOutput(serializers.ModelSerializer):
    actor = UserRefField()

    class Meta:
        model = CorrectiveActionEvent
        fields = ["id", "action", "actor", "created_at", "from_status", "to_status", "body", "data"]
        read_only_fields = fields


class CorrectiveActionEffectRow(serializers.Serializer):
    campaign_id = serializers.IntegerField(allow_null=True, required=False)
    campaign_name = serializers.CharField(allow_blank=True, required=False)
    closed_on = serializers.DateField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True, required=False)
    denominator = serializers.IntegerField(allow_null=True, required=False)


class CorrectiveActionEffectOutput(serializers.Serializer):
    item_code = serializers.CharField()
    before = CorrectiveActionEffectRow(allow_null=True)
    after = CorrectiveActionEffectRow(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="after.rate − before.rate")
    history = CorrectiveActionEffectRow(many=True)
