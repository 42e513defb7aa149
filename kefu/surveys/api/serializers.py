from rest_framework import serializers

from kefu.surveys.models import Campaign


class CampaignOutput(serializers.ModelSerializer):
    questionnaire = serializers.StringRelatedField()  # type: ignore[var-annotated]  # a read-only related field; the stubs want its model
    questionnaire_id = serializers.IntegerField()
    department = serializers.StringRelatedField()  # type: ignore[var-annotated]  # a read-only related field; the stubs want its model
    population_count = serializers.IntegerField(read_only=True, help_text="people asked (invitations)")
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "status", "questionnaire", "questionnaire_id", "department", "starts_on", "ends_on",
                  "closed_on", "population", "tag", "target_rate", "satisfied_min", "population_count", "response_count"]
        read_only_fields = fields


class MeasureOutput(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True,
                                    help_text="numerator ÷ denominator, 0–1, 4 decimals; null without a denominator")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class ItemResultOutput(MeasureOutput):
    code = serializers.CharField()
    name = serializers.CharField()
    response_rate = MeasureOutput(help_text="respondents who rated the item ÷ population")
    target = serializers.DecimalField(max_digits=5, decimal_places=4)
    meets_target = serializers.BooleanField()
    previous_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="answers per score 1–5")


class OverallOutput(MeasureOutput):
    target = serializers.DecimalField(max_digits=5, decimal_places=4)
    meets_target = serializers.BooleanField()
    previous_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class GeneralQuestionOutput(MeasureOutput):
    question_id = serializers.IntegerField()
    section = serializers.CharField()
    text = serializers.CharField()
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="answers per score 1–5")


class NpsOutput(serializers.Serializer):
    question_id = serializers.IntegerField()
    text = serializers.CharField()
    answers = serializers.IntegerField()
    promoters = serializers.IntegerField()
    detractors = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)


class ResultsOutput(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    satisfied_min = serializers.IntegerField(help_text="lowest score on the 5-point scale counted as satisfied")
    population = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = MeasureOutput()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    overall = OverallOutput()
    items = ItemResultOutput(many=True)
    general = GeneralQuestionOutput(
        many=True, help_text="5-point questions of sections without a service item (e.g. an overall question): "
                             "each its own rate = answers scoring at least satisfied_min ÷ its answers; not part "
                             "of `overall`")
    nps = NpsOutput(many=True)
    previous_campaign = serializers.DictField(allow_null=True)
