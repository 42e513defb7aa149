"""Report API shapes: query parameters in; the report dicts out (documented for the schema)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.reports.choices import FileFormat, Frequency, ReportKind


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


class SatisfactionRateOutput(RateOutput):
    response_rate = RateOutput(help_text="参评率: always read with the satisfaction rate.")


class CampaignRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="draft, open or closed (see the surveys API).")
    status_label = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    window_end = serializers.DateField(help_text="The day answering ended: closed_on if closed early, else ends_on.")
    satisfied_min = serializers.IntegerField()
    url = serializers.CharField(help_text="The campaign's results page.")
    satisfaction_rate = RateOutput()
    response_rate = RateOutput()


class CampaignSatisfactionOutput(RateOutput):
    response_rate = RateOutput(help_text="参评率 = invitations answered ÷ invitations.")
    campaigns = CampaignRowOutput(many=True)


class TrendPointOutput(serializers.Serializer):
    start = serializers.DateField(help_text="The day, or the first day of the week in the period.")
    count = serializers.IntegerField()


class TrendOutput(serializers.Serializer):
    unit = serializers.ChoiceField(choices=["day", "week"], help_text="week for a period over 62 days")
    points = TrendPointOutput(many=True)


class ServiceAnalysisOutput(serializers.Serializer):
    period = serializers.DictField()
    scope = serializers.DictField()
    total = serializers.IntegerField()
    total_url = serializers.CharField()
    by_type = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    trend = TrendOutput(required=False, help_text="Orders received per day (per week over 62 days); not in "
                                                  "`previous` and `last_year`.")
    first_response_on_time_rate = RateOutput()
    resolution_on_time_rate = RateOutput()
    callback_coverage = RateOutput(required=False)
    reopen_rate = RateOutput()
    satisfaction_rate = SatisfactionRateOutput(required=False)
    campaign_satisfaction = CampaignSatisfactionOutput(
        required=False, allow_null=True,
        help_text="Survey campaigns whose answering ended in the period (docs/metrics.md); null when the reader "
                  "may not read survey results or the scope is a team or an agent.")


# --- report schedules -------------------------------------------------------------------------------

class ReportScheduleScope(serializers.Serializer):
    """Ids inside the owner's visibility (sites they see, departments and teams of their subtree,
    agents who are members of those departments); any other id is 400 naming `scope.<key>`."""

    site = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    agent = serializers.IntegerField(required=False, allow_null=True, help_text="User id (first-contact owner).")


class ReportScheduleInput(serializers.Serializer):
    """Create (all required but `file_format`, `scope`, `is_active`) or PATCH (any subset); the
    service validates everything together and names the field it refuses."""

    name = serializers.CharField(max_length=100)
    report = serializers.ChoiceField(choices=ReportKind.choices)
    file_format = serializers.ChoiceField(choices=FileFormat.choices, required=False,
                                          help_text="xlsx (default) or pdf; the evidence export is xlsx only.")
    frequency = serializers.ChoiceField(choices=Frequency.choices,
                                        help_text="weekly: Monday 09:00, last week; monthly: the 1st 09:00, last month.")
    recipients = serializers.ListField(child=serializers.CharField(max_length=254), max_length=50,
                                       help_text="Email addresses; each gets a link to the file.")
    scope = ReportScheduleScope(required=False)
    is_active = serializers.BooleanField(required=False)


class GeneratedFileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    url = serializers.CharField(help_text="The file (sign-in required).")


class ReportScheduleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    report = serializers.ChoiceField(choices=ReportKind.choices)
    report_label = serializers.CharField(source="get_report_display")
    file_format = serializers.ChoiceField(choices=FileFormat.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    frequency_label = serializers.CharField(source="get_frequency_display")
    scope = ReportScheduleScope()
    scope_labels = serializers.SerializerMethodField()
    held_back = serializers.SerializerMethodField()
    recipients = serializers.ListField(child=serializers.CharField())
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    last_period_start = serializers.DateField(allow_null=True, help_text="Start of the last period delivered.")
    latest_generated = serializers.SerializerMethodField()
    may_change = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_scope_labels(self, obj) -> dict[str, str]:
        return self.context.get("scope_labels", {}).get(obj.pk, {})

    def get_held_back(self, obj) -> list[str]:
        """Scope keys the owner no longer sees: nothing is sent until the scope is fixed."""
        return self.context.get("held_back", {}).get(obj.pk, [])

    def get_owner_name(self, obj) -> str:
        from kefu.org.selectors import user_display_name

        return user_display_name(obj.owner)

    @extend_schema_field(GeneratedFileOutput(allow_null=True))
    def get_latest_generated(self, obj):
        if not getattr(obj, "latest_id", None):
            return None
        return {"id": obj.latest_id, "period_start": obj.latest_start, "period_end": obj.latest_end,
                "url": reverse("reports:generated_download", args=[obj.latest_id])}

    def get_may_change(self, obj) -> bool:
        from kefu.reports.selectors import schedule_may_change

        return schedule_may_change(actor=self.context["actor"], schedule=obj)


class ReportScheduleRunOutput(serializers.Serializer):
    created = serializers.BooleanField(help_text="False: the period was already generated and is not sent again.")
    generated = GeneratedFileOutput(allow_null=True)
