"""Input/output serializers for work orders. `status` is read-only everywhere: state changes
are POSTed as actions (see views.py) and go through `work_order_transition`."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.core.masking import phone_for
from kefu.customers.models import Asset, Customer
from kefu.org.choices import DepartmentKind
from kefu.org.models import Department
from kefu.workorders.choices import Channel, HoldReason, Priority, WorkOrderType
from kefu.workorders.models import Attachment, Category, WorkOrder, WorkOrderEvent


def _user_name(user) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else user.get_username()


class UserRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field(UserRef(allow_null=True))
class UserRefField(serializers.Field):
    """A user as `{"id": 1, "name": "张三"}` on output."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"id": value.pk, "name": _user_name(value)}


class WorkOrderOutput(serializers.ModelSerializer):
    first_contact_owner = UserRefField()
    assignee = UserRefField()
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.display_name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    asset_code = serializers.CharField(source="asset.code", read_only=True, default=None)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)  # type: ignore[var-annotated]  # a read-only related field; the stubs want its model
    plan_role = serializers.CharField(source="plan_role.code", read_only=True, default=None)
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "status", "version", "type", "channel", "category", "category_code", "category_name",
            "priority", "complaint_level", "title", "description", "customer", "customer_name", "contact_name",
            "contact_phone", "asset", "asset_code", "site", "related_order", "received_at", "created_at",
            "updated_at", "first_contact_owner", "team", "team_name", "assignee", "promised_at", "sla_due_at", "tags",
            "hold_reason", "resolution", "resolved_at", "closed_at", "reopen_count", "plan", "plan_status",
            "plan_role", "compensation_amount",
        ]
        read_only_fields = fields

    def get_contact_phone(self, obj) -> str:
        """Masked (138****8000) for roles without the personal-data permission."""
        request = self.context.get("request")
        return phone_for(getattr(request, "user", None), obj.contact_phone)


class WorkOrderCreateInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=WorkOrderType.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.NORMAL)
    complaint_level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), required=False, allow_null=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    promised_at = serializers.DateTimeField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False,
                                 default=list)
    related_order = serializers.PrimaryKeyRelatedField(queryset=WorkOrder.objects.all(), required=False,
                                                       allow_null=True)
    first_contact_owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True)


class MaterialLineInput(serializers.Serializer):
    """One line of parts and materials used (resolve)."""

    description = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                                        max_value=Decimal("99999"))
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ActionInput(serializers.Serializer):
    """The union of all action bodies; `work_order_transition` checks which are required."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Optional: refuse with 409 if the order changed since."))
    team = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(kind=DepartmentKind.TEAM),
                                              required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.select_related("staff__department"), required=False, allow_null=True)
    promised_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    waiting_for = serializers.ChoiceField(choices=HoldReason.choices, required=False)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    body = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    internal = serializers.BooleanField(required=False, default=True)
    plan = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    compensation_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                                   allow_null=True, min_value=0)
    # resolve, on site (issue #20; all optional): parts and materials, the customer's signature
    # (a canvas PNG data URL) and name, photos (multipart; JPEG, PNG, GIF, WebP).
    materials = MaterialLineInput(many=True, required=False, max_length=30,  # type: ignore[call-arg]  # ListSerializer takes it (stubs lag)
                                  help_text=_("resolve: parts and materials used (JSON bodies)."))
    signature = serializers.CharField(required=False, allow_blank=True, max_length=1_000_000,
                                      help_text=_("resolve: the customer's signature, a PNG data URL."))
    confirmed_by = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                         help_text=_("resolve: the name of who confirmed on site."))
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=8,
                                   help_text=_("resolve: photos (multipart bodies)."))


class EventOutput(serializers.ModelSerializer):
    actor = UserRefField()

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "action", "actor", "created_at", "from_status", "to_status", "body", "internal", "data"]
        read_only_fields = fields


class AttachmentOutput(serializers.ModelSerializer):
    uploaded_by = UserRefField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("workorders:attachment", args=[obj.work_order_id, obj.pk])


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()


class CategoryOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "industry", "types", "is_active"]
        read_only_fields = fields
