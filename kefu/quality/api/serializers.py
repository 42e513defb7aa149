"""Input/output serializers for QA checks. `status` and the score are read-only everywhere: they
change through POSTed actions that go through `qa_check_transition`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kefu.quality.models import QACheck, QACheckEvent, QACheckItemScore
from kefu.workorders.api.serializers import UserRefField


class QACheckItemScoreOutput(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    name = serializers.CharField(source="item.display_name", read_only=True)
    weight = serializers.IntegerField(source="item.weight", read_only=True)

    class Meta:
        model = QACheckItemScore
        fields = ["code", "name", "weight", "points", "remark"]
        read_only_fields = fields


class QACheckOutput(serializers.ModelSerializer):
    agent = UserRefField()
    scored_by = UserRefField()
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    department_name = serializers.CharField(source="department.display_name", read_only=True)
    form_code = serializers.CharField(source="form.code", read_only=True)
    pass_threshold = serializers.DecimalField(source="form.pass_threshold", max_digits=5, decimal_places=2,
                                              read_only=True)

    class Meta:
        model = QACheck
        fields = ["id", "work_order", "work_order_number", "agent", "department", "department_name", "form_code",
                  "pass_threshold", "week_start", "status", "version", "score", "passed", "comment", "scored_by",
                  "scored_at", "appeal_reason", "appealed_at", "appeal_decision", "appeal_comment", "original_score",
                  "decided_at", "corrective_action", "created_at", "updated_at"]
        read_only_fields = fields


class QACheckDetailOutput(QACheckOutput):
    items = QACheckItemScoreOutput(source="item_scores", many=True, read_only=True)

    class Meta(QACheckOutput.Meta):
        fields = [*QACheckOutput.Meta.fields, "items"]
        read_only_fields = fields


class QACheckActionInput(serializers.Serializer):
    """The union of all action bodies; `qa_check_transition` checks which are required."""

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Optional: refuse with 409 if the check changed since."))
    scores = serializers.DictField(required=False, help_text=_("Item code → points 0–100 (score, amend)."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class QACheckEventOutput(serializers.ModelSerializer):
    actor = UserRefField()

    class Meta:
        model = QACheckEvent
        fields = ["id", "action", "actor", "created_at", "from_status", "to_status", "body", "data"]
        read_only_fields = fields
