"""Input/output serializers for KPI scorecards and templates. Totals, statuses and computed
values are read-only: manual values and sign-off are POSTed actions that go through the services."""

from rest_framework import serializers

from kefu.kpi.choices import Rule, Source
from kefu.kpi.models import Indicator, Scorecard, ScorecardLine, ScorecardTemplate
from kefu.org.choices import RoleCode
from kefu.workorders.api.serializers import UserRefField


class IndicatorOutput(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "weight", "source", "order_type", "rule", "floor", "target",
                  "entered_by_role", "method"]
        read_only_fields = fields


class TemplateOutput(serializers.ModelSerializer):
    indicators = IndicatorOutput(many=True, read_only=True)

    class Meta:
        model = ScorecardTemplate
        fields = ["id", "code", "name", "name_en", "role", "is_active", "indicators"]
        read_only_fields = fields


class IndicatorInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]  # a serializer field named like a Field attribute, as DRF allows
    order_type = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    rule = serializers.ChoiceField(choices=Rule.choices)
    floor = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, default=None)
    target = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, default=None)
    entered_by_role = serializers.ChoiceField(choices=RoleCode.choices, required=False, allow_blank=True, default="")
    method = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TemplateInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=RoleCode.choices)
    indicators = IndicatorInput(many=True)


class LineOutput(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    name = serializers.CharField(source="indicator.display_name", read_only=True)
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2, read_only=True)
    source = serializers.CharField(source="indicator.source", read_only=True)  # type: ignore[assignment]  # a serializer field named like a Field attribute, as DRF allows
    rule = serializers.CharField(source="indicator.rule", read_only=True)
    entered_by = UserRefField()
    drilldown_url = serializers.SerializerMethodField()

    class Meta:
        model = ScorecardLine
        fields = ["indicator", "name", "weight", "source", "rule", "value", "numerator", "denominator", "score",
                  "weighted", "note", "entered_by", "entered_at", "drilldown_url"]
        read_only_fields = fields

    def get_drilldown_url(self, line) -> str | None:
        if line.indicator.source == Source.MANUAL:
            return None
        return f"/kpi/scorecards/{line.scorecard_id}/lines/{line.indicator.code}/"


class ScorecardOutput(serializers.ModelSerializer):
    person = UserRefField()
    signed_off_by = UserRefField()
    template_code = serializers.CharField(source="template.code", read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "template_code", "person", "department", "year", "quarter", "period_start", "period_end",
                  "status", "version", "total_score", "computed_at", "signed_off_by", "signed_off_at"]
        read_only_fields = fields


class ScorecardDetailOutput(ScorecardOutput):
    lines = serializers.SerializerMethodField()

    class Meta(ScorecardOutput.Meta):
        fields = [*ScorecardOutput.Meta.fields, "lines"]
        read_only_fields = fields

    def get_lines(self, scorecard) -> list[dict]:
        lines = scorecard.lines.select_related("indicator", "entered_by__staff").order_by("indicator__position")
        return LineOutput(lines, many=True).data  # type: ignore[return-value]  # many=True gives a list (ReturnList); the stubs say ReturnDict


class EnterValueInput(serializers.Serializer):
    indicator = serializers.CharField(max_length=32)
    value = serializers.DecimalField(max_digits=8, decimal_places=2)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
