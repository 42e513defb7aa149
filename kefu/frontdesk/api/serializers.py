"""Input/output serializers of the front desk API. `status` is read-only: a pass changes state
through POSTed actions (`release_pass_transition`); balances change only with bills and payments."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kefu.frontdesk.models import Bill, FeeItem, Payment, ReleasePass
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
