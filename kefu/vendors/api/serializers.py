"""Vendor API bodies: vendors, nonconformities, scorecards with their lines."""

from rest_framework import serializers

from kefu.org.models import Department
from kefu.vendors.choices import NonconformitySource, ServiceScope
from kefu.vendors.models import Nonconformity, Scorecard, ScorecardLine, Vendor


class VendorOutput(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "licence_no", "contact_name", "contact_phone", "service_scope", "team", "routes",
                  "is_active", "created_at"]
        read_only_fields = fields


class VendorInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    service_scope = serializers.ChoiceField(choices=ServiceScope.choices)
    team = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    licence_no = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class NonconformityOutput(serializers.ModelSerializer):
    class Meta:
        model = Nonconformity
        fields = ["id", "vendor", "source", "finding", "work_order", "description", "found_at", "deadline", "penalty",
                  "status", "version", "reply", "verification", "closed_at"]
        read_only_fields = fields


class NonconformityInput(serializers.Serializer):
    vendor = serializers.IntegerField()
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    deadline = serializers.DateField()
    source = serializers.ChoiceField(choices=NonconformitySource.choices, default=NonconformitySource.QA)  # type: ignore[assignment]  # a field named like a Field attribute, as DRF allows
    finding = serializers.IntegerField(required=False, allow_null=True)
    penalty = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class NonconformityActionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
    reply = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    verification = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class LineOutput(serializers.ModelSerializer):
    class Meta:
        model = ScorecardLine
        fields = ["sequence", "name", "metric", "numerator", "denominator", "value", "weight", "score", "explanation",
                  "url"]
        read_only_fields = fields


class ScorecardOutput(serializers.ModelSerializer):
    lines = LineOutput(many=True, read_only=True)
    month = serializers.DateField(format="%Y-%m")
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    pass_mark = serializers.DecimalField(source="contract.pass_mark", max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "vendor", "vendor_name", "contract", "month", "status", "version", "total", "pass_mark", "fee",
                  "penalties", "shortfall", "payable", "computed_at", "signed_by", "signed_at", "lines"]
        read_only_fields = fields


class ScorecardComputeInput(serializers.Serializer):
    vendor = serializers.IntegerField()
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$")
    manual = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                                                  max_value=100), required=False)


class ScorecardSignInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
