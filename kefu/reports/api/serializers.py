"""Report API shapes: query parameters in; the report dicts out (documented for the schema)."""

from rest_framework import serializers


class ReportQuery(serializers.Serializer):
    start = serializers.DateField(help_text="First day, inclusive (YYYY-MM-DD, site zone).")
    end = serializers.DateField(help_text="Last day, inclusive.")
    site = serializers.IntegerField(required=False)
    department = serializers.IntegerField(required=False)
    team = serializers.IntegerField(required=False)
    agent = serializers.IntegerField(required=False)
    compare = serializers.BooleanField(required=False, help_text="Add the previous period and last year.")


class RateOutput(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    numerator_url = serializers.CharField()
    denominator_url = serializers.CharField()


class ServiceAnalysisOutput(serializers.Serializer):
    period = serializers.DictField()
    scope = serializers.DictField()
    total = serializers.IntegerField()
    total_url = serializers.CharField()
    by_type = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    first_response_on_time_rate = RateOutput()
    resolution_on_time_rate = RateOutput()
    callback_coverage = RateOutput(required=False)
    reopen_rate = RateOutput()
    satisfaction_rate = RateOutput(required=False)
