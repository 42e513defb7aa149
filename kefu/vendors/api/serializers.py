"""Vendor API bodies: vendors, nonconformities, scorecards with their lines."""

from rest_framework import serializers

from kefu.org.models import Department
from kefu.vendors.choices import AttendanceStatus, NonconformitySource, ServiceScope
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


class VendorScorecardLineOutput(serializers.ModelSerializer):
    class Meta:
        model = ScorecardLine
        fields = ["sequence", "name", "metric", "numerator", "denominator", "value", "weight", "score", "explanation",
                  "url"]
        read_only_fields = fields


class VendorScorecardOutput(serializers.ModelSerializer):
    lines = VendorScorecardLineOutput(many=True, read_only=True)
    month = serializers.DateField(format="%Y-%m")
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    pass_mark = serializers.DecimalField(source="contract.pass_mark", max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "vendor", "vendor_name", "contract", "month", "status", "version", "total", "pass_mark", "fee",
                  "penalties", "shortfall", "payable", "computed_at", "signed_by", "signed_at", "lines"]
        read_only_fields = fields


class VendorScorecardComputeInput(serializers.Serializer):
    vendor = serializers.IntegerField()
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$")
    manual = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                                                  max_value=100), required=False)


class VendorScorecardSignInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class QualificationBody(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    certificate_no = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    state = serializers.CharField(read_only=True, help_text="valid | expiring (within 30 days) | expired")


class VendorWorkerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    vendor = serializers.IntegerField(source="vendor_id")
    name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField(help_text="Masked for roles without the personal-data permission.")
    site = serializers.IntegerField(source="site_id", allow_null=True)
    started_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True)
    qualifications = QualificationBody(many=True)


class VendorWorkerInput(serializers.Serializer):
    vendor = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=50)
    post = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    qualifications = QualificationBody(many=True, required=False, default=list)

    def validate_qualifications(self, value):
        if len(value) > 20:
            raise serializers.ValidationError("At most 20 qualifications.")
        return value


class AttendanceEntry(serializers.Serializer):
    worker = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceInput(serializers.Serializer):
    vendor = serializers.IntegerField(min_value=1)
    day = serializers.DateField()
    entries = AttendanceEntry(many=True, allow_empty=False)

    def validate_entries(self, value):
        if len(value) > 500:
            raise serializers.ValidationError("At most 500 workers at once.")
        return value


class AttendanceSummaryRow(serializers.Serializer):
    worker = serializers.IntegerField()
    name = serializers.CharField()
    days = serializers.IntegerField(help_text="Days on site in the month up to today.")
    present = serializers.IntegerField()
    late = serializers.IntegerField()
    leave = serializers.IntegerField()
    absent = serializers.IntegerField()
    unrecorded = serializers.IntegerField()


class AttendanceSummaryOutput(serializers.Serializer):
    vendor = serializers.IntegerField()
    month = serializers.CharField()
    rows = AttendanceSummaryRow(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())
