from rest_framework import serializers

from kefu.sla.models import WorkCalendar


class CalendarOutput(serializers.ModelSerializer):
    class Meta:
        model = WorkCalendar
        fields = ["id", "name", "timezone", "use_china_holidays", "always_open", "hours", "team"]
        read_only_fields = fields


class CalendarCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    timezone = serializers.CharField(max_length=64, default="Asia/Shanghai")
    use_china_holidays = serializers.BooleanField(default=True)
    always_open = serializers.BooleanField(default=False)
    hours = serializers.DictField(child=serializers.ListField(child=serializers.ListField(
        child=serializers.CharField(max_length=5), min_length=2, max_length=2)), required=False, default=dict)


class DueQuery(serializers.Serializer):
    start = serializers.DateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-09-30T10:00:00+08:00")
    minutes = serializers.IntegerField(min_value=0, max_value=1_000_000)

    def validate_start(self, value):
        raw = self.initial_data.get("start", "")
        # A start without an offset would be read in the server's zone: refuse the ambiguity.
        if raw and not (raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]):
            raise serializers.ValidationError("include a UTC offset, e.g. +08:00")
        return value


class DueOutput(serializers.Serializer):
    due = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class ClockOutput(serializers.Serializer):
    kind = serializers.CharField()
    state = serializers.CharField(help_text="running, paused, met, breached or cancelled")
    due_at = serializers.DateTimeField()
    remaining_minutes = serializers.FloatField(allow_null=True, help_text="business (or calendar) minutes left; "
                                               "negative when overdue")
    business = serializers.BooleanField()
    target_minutes = serializers.IntegerField(allow_null=True)
    paused_minutes = serializers.FloatField()
    elapsed_minutes = serializers.FloatField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    missing_holiday_years = serializers.ListField(child=serializers.IntegerField())
