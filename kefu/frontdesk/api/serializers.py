"""Input/output serializers of the front desk API. `status` is read-only: a pass changes state
through POSTed actions (`release_pass_transition`); balances change only with bills and payments."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kefu.core.masking import phone_for
from kefu.frontdesk.models import (
    Bill,
    FeeItem,
    KeyLoan,
    Parcel,
    Payment,
    ReleasePass,
    Renovation,
    VisitorPass,
)
from kefu.workorders.api.serializers import UserRefField


class PassItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    quantity = serializers.IntegerField(min_value=1, max_value=9999)


class ReleasePassOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    requester_name = serializers.CharField(source="requester.name", read_only=True)
    items = PassItemSerializer(many=True, read_only=True)
    approved_by = UserRefField()
    used_by = UserRefField()
    overridden_by = UserRefField()
    created_by = UserRefField()
    scan_url = serializers.SerializerMethodField()

    class Meta:
        model = ReleasePass
        fields = ["id", "number", "status", "version", "unit", "unit_code", "requester", "requester_name", "items",
                  "moving_date", "vehicle", "carrier", "is_move_out", "override_reason", "overridden_by",
                  "balance_at_request", "approved_by", "approved_at", "used_by", "used_at", "created_by",
                  "created_at", "updated_at", "scan_url"]
        read_only_fields = fields

    def get_scan_url(self, obj) -> str | None:
        """The guard's page (the QR code's content), once the pass is approved."""
        from django.urls import reverse

        if obj.status == "requested" or obj.status == "cancelled":
            return None
        return reverse("frontdesk:scan", args=[obj.token])


class ReleasePassCreateInput(serializers.Serializer):
    unit = serializers.IntegerField()
    requester = serializers.IntegerField()
    items = PassItemSerializer(many=True, allow_empty=False, max_length=50)  # type: ignore[call-arg]  # ListSerializer takes max_length; the stubs miss it
    moving_date = serializers.DateField()
    vehicle = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    is_move_out = serializers.BooleanField(required=False, default=False)
    override_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReleasePassActionInput(serializers.Serializer):
    """The union of the action bodies; the service checks which are required."""

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Optional: refuse with 409 if the pass changed since."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class FeeItemOutput(serializers.ModelSerializer):
    class Meta:
        model = FeeItem
        fields = ["id", "site", "code", "name", "name_en", "basis", "rate", "is_active"]
        read_only_fields = fields


class BillInput(serializers.Serializer):
    unit = serializers.IntegerField()
    item = serializers.IntegerField()
    period = serializers.CharField(max_length=7)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    due_date = serializers.DateField()


class BillOutput(serializers.ModelSerializer):
    class Meta:
        model = Bill
        fields = ["id", "unit", "item", "period", "amount", "due_date", "source", "created_at"]
        read_only_fields = fields


class PaymentInput(serializers.Serializer):
    unit = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_at = serializers.DateField()
    kind = serializers.ChoiceField(choices=["payment", "refund"], required=False, default="payment")
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "unit", "kind", "amount", "paid_at", "reference", "created_at"]
        read_only_fields = fields


class ArrearsRowOutput(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_code = serializers.CharField()
    site = serializers.IntegerField(allow_null=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    oldest_due_date = serializers.DateField()
    age_days = serializers.IntegerField()
    age_bucket = serializers.CharField()


# --- visitors, keys, parcels ------------------------------------------------------------------------

class VisitorPassOutput(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = VisitorPass
        fields = ["id", "number", "status", "version", "site", "kind", "name", "phone", "company", "purpose", "unit",
                  "expected_at", "valid_until", "arrived_at", "departed_at", "created_at"]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        request = self.context.get("request")
        return phone_for(getattr(request, "user", None), obj.phone)


class VisitorPassCreateInput(serializers.Serializer):
    site = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["visitor", "contractor"], required=False, default="visitor")
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    expected_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateTimeField()
    walk_in = serializers.BooleanField(required=False, default=False)


class RegisterActionInput(serializers.Serializer):
    """The union of the action bodies of visitor passes, key loans and parcels."""

    version = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    signed_by = serializers.CharField(required=False, allow_blank=True, max_length=100)
    pickup_code = serializers.CharField(required=False, allow_blank=True, max_length=8)


class KeyLoanOutput(serializers.ModelSerializer):
    key_code = serializers.CharField(source="key.code", read_only=True)
    key_label = serializers.CharField(source="key.label", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    borrower_phone = serializers.SerializerMethodField()

    class Meta:
        model = KeyLoan
        fields = ["id", "status", "version", "key", "key_code", "key_label", "borrower", "borrower_phone", "company",
                  "purpose", "due_at", "is_overdue", "returned_at", "created_at"]
        read_only_fields = fields

    def get_borrower_phone(self, obj) -> str:
        request = self.context.get("request")
        return phone_for(getattr(request, "user", None), obj.borrower_phone)


class KeyLoanCreateInput(serializers.Serializer):
    key = serializers.IntegerField()
    borrower = serializers.CharField(max_length=100)
    borrower_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    signature = serializers.CharField(max_length=200_000, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField()


class ParcelOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True, default=None)

    class Meta:
        model = Parcel
        fields = ["id", "number", "status", "version", "unit", "unit_code", "recipient", "recipient_name", "sender",
                  "carrier", "tracking_number", "is_registered_mail", "handed_over_at", "signed_by", "created_at"]
        read_only_fields = fields


class ParcelCreateInput(serializers.Serializer):
    unit = serializers.IntegerField()
    recipient = serializers.IntegerField(required=False, allow_null=True, default=None)
    sender = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    is_registered_mail = serializers.BooleanField(required=False, default=False)


# --- renovations ------------------------------------------------------------------------------------

class RenovationOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Renovation
        fields = ["id", "number", "status", "version", "unit", "unit_code", "applicant", "applicant_name",
                  "contractor", "description", "starts_on", "ends_on", "checklist", "deposit", "fee",
                  "working_hours", "rules", "penalties", "rectify_by", "is_overdue", "refund", "created_at",
                  "updated_at"]
        read_only_fields = fields


class RenovationCreateInput(serializers.Serializer):
    unit = serializers.IntegerField()
    applicant = serializers.IntegerField()
    description = serializers.CharField(max_length=500)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    contractor = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RenovationActionInput(serializers.Serializer):
    """The union of the renovation action bodies; the service checks which are required."""

    version = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    structure = serializers.BooleanField(required=False)
    fire = serializers.BooleanField(required=False)
    waterproofing = serializers.BooleanField(required=False)
    deposit = serializers.DecimalField(required=False, max_digits=12, decimal_places=2)
    fee = serializers.DecimalField(required=False, max_digits=12, decimal_places=2)
    working_hours = serializers.CharField(required=False, allow_blank=True, max_length=100)
    rules = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    finding = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    rectify_by = serializers.DateField(required=False)
    penalty = serializers.DecimalField(required=False, max_digits=12, decimal_places=2)
