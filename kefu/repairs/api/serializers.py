"""Repair-record API bodies: the record with its parts, its actions' input, materials, equipment."""

from rest_framework import serializers

from kefu.repairs.choices import EquipmentKind, PaymentMethod
from kefu.repairs.models import Equipment, Material, RepairPart, RepairRecord


class RepairPartOutput(serializers.ModelSerializer):
    class Meta:
        model = RepairPart
        fields = ["id", "material", "name", "unit", "unit_price", "quantity", "amount"]
        read_only_fields = fields


class RepairRecordOutput(serializers.ModelSerializer):
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    quote_status = serializers.CharField(source="work_order.plan_status", read_only=True,
                                         help_text="The order's plan status: the quote's approval.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    has_signature = serializers.SerializerMethodField()
    parts = RepairPartOutput(many=True, read_only=True)

    class Meta:
        model = RepairRecord
        fields = ["id", "work_order", "work_order_number", "status", "version", "equipment", "appointment_start",
                  "appointment_end", "fault", "work_done", "labour_minutes", "is_paid", "labour_charge",
                  "parts_total", "total", "quote_amount", "quote_submitted_at", "quote_status", "charge_collected",
                  "payment_method", "receipt_no", "collected_at", "signer_name", "satisfied", "signed_at",
                  "has_signature", "parts", "created_at", "updated_at"]
        read_only_fields = fields

    def get_has_signature(self, obj: RepairRecord) -> bool:
        return bool(obj.signature)


class RepairRecordOpenInput(serializers.Serializer):
    work_order = serializers.IntegerField(min_value=1)


class RepairRecordActionInput(serializers.Serializer):
    """The fields of every action (each action reads its own; see the action's description)."""

    version = serializers.IntegerField(required=False, min_value=1)
    # update
    equipment = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    appointment_start = serializers.DateTimeField(required=False, allow_null=True)
    appointment_end = serializers.DateTimeField(required=False, allow_null=True)
    fault = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    work_done = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    labour_minutes = serializers.IntegerField(required=False, min_value=0, max_value=7 * 24 * 60)
    is_paid = serializers.BooleanField(required=False)
    labour_charge = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    # add_part / remove_part
    material = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=8)
    unit_price = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    quantity = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    part = serializers.IntegerField(required=False, min_value=1)
    # collect
    amount = serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    payment_method = serializers.ChoiceField(required=False, choices=PaymentMethod.choices)
    receipt_no = serializers.CharField(required=False, allow_blank=True, max_length=32)
    # sign
    signature = serializers.CharField(required=False, allow_blank=True, max_length=800_000,
                                      help_text="The customer's signature: a PNG data URL (data:image/png;base64,…).")
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    satisfied = serializers.BooleanField(required=False, allow_null=True)


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "name", "unit", "unit_price", "is_active"]
        read_only_fields = ["id", "is_active"]


class EquipmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Equipment
        fields = ["id", "code", "name", "kind", "site", "building", "location", "is_active"]
        read_only_fields = fields


class EquipmentInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=EquipmentKind.choices)
    site = serializers.IntegerField(min_value=1)
    building = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
