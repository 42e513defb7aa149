"""Customer API shapes: masked output for roles without `view_personal_data`, and inputs that the
services validate (resident ID, credit code and mobile checks live there, not here)."""

from rest_framework import serializers

from kefu.core.masking import mask_id_number, mask_phone
from kefu.customers.choices import AssetRelation, CustomerKind, CustomerTier, Gender, IdType
from kefu.customers.models import Asset, Customer, CustomerAsset


class AssetOutput(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True, default=None)

    class Meta:
        model = Asset
        fields = ["id", "kind", "code", "name", "site", "site_name", "building", "floor", "area", "use",
                  "unit_status", "lines", "plan", "account_status", "model_name", "sale_date", "warranty_until"]
        read_only_fields = fields


class CustomerOutput(serializers.ModelSerializer):
    """A customer; phone and ID numbers are masked unless the reader may view personal data."""

    phones = serializers.SerializerMethodField()
    assets = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    emergency_contact_phone = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "tier", "email", "phones", "assets", "gender", "id_type", "id_number",
                  "credit_code", "address", "emergency_contact_name", "emergency_contact_phone", "language",
                  "tags", "rank", "created_at"]
        read_only_fields = fields

    def _reveal(self) -> bool:
        return self.context.get("reveal_personal_data", False)

    def get_phones(self, obj) -> list[str]:
        return [p.number if self._reveal() else mask_phone(p.number) for p in obj.phones.all()]

    def get_assets(self, obj) -> list[dict]:
        return [AssetOutput(link.asset).data for link in obj.asset_links.all()]

    def get_id_number(self, obj) -> str:
        return obj.id_number if self._reveal() else mask_id_number(obj.id_number)

    def get_emergency_contact_phone(self, obj) -> str:
        value = obj.emergency_contact_phone
        return value if self._reveal() else mask_phone(value)

    def get_rank(self, obj) -> str | None:
        """How the lookup matched: exact, prefix or fragment (null outside a search)."""
        rank = getattr(obj, "search_rank", None)
        return None if rank is None else ("exact", "prefix", "fragment")[rank]


class DeletedCustomerOutput(serializers.ModelSerializer):
    """A soft-deleted customer not yet erased: who deleted it and when, and when the nightly purge
    erases it (`erase_on`, `days_left`); phones and ID numbers masked as in `CustomerOutput`."""

    phones = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    deleted_by_name = serializers.SerializerMethodField()
    erase_on = serializers.DateField(read_only=True)
    days_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "phones", "id_type", "id_number", "credit_code", "deleted_at", "deleted_by",
                  "deleted_by_name", "erase_on", "days_left"]
        read_only_fields = fields

    def _reveal(self) -> bool:
        return self.context.get("reveal_personal_data", False)

    def get_phones(self, obj) -> list[str]:
        return [p.number if self._reveal() else mask_phone(p.number) for p in obj.phones.all()]

    def get_id_number(self, obj) -> str:
        return obj.id_number if self._reveal() else mask_id_number(obj.id_number)

    def get_deleted_by_name(self, obj) -> str:
        user = obj.deleted_by
        if user is None:
            return ""
        staff = getattr(user, "staff", None)
        return staff.display_name if staff else user.get_username()


class ContactInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class CustomerCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = serializers.CharField(max_length=100)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10, required=False, default=list)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    assets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False, default=list)
    relation = serializers.ChoiceField(choices=AssetRelation.choices, default=AssetRelation.OWNER)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default="")
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False, default="")
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    emergency_contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    emergency_contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    language = serializers.CharField(max_length=10, required=False, default="zh-hans")
    tags = serializers.ListField(child=serializers.CharField(max_length=32), max_length=20, required=False, default=list)
    contacts = ContactInput(many=True, max_length=20, required=False, default=list)  # type: ignore[call-arg]  # DRF 3.14+ takes max_length with many=True; the stubs do not


class CustomerUpdateInput(serializers.Serializer):
    """PATCH: only the fields sent are changed."""

    kind = serializers.ChoiceField(choices=CustomerKind.choices, required=False)
    name = serializers.CharField(max_length=100, required=False)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    tier = serializers.ChoiceField(choices=CustomerTier.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    emergency_contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    emergency_contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.CharField(max_length=10, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=32), max_length=20, required=False)


class OccupancyInput(serializers.Serializer):
    customer = serializers.IntegerField()
    unit = serializers.IntegerField()
    relation = serializers.ChoiceField(choices=AssetRelation.choices)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)


class OccupancyEndInput(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class OccupancyOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="asset.code", read_only=True)

    class Meta:
        model = CustomerAsset
        fields = ["id", "customer", "asset", "unit_code", "relation", "started_on", "ended_on"]
        read_only_fields = fields


class UnitOccupantOutput(serializers.Serializer):
    """A current occupant of a unit; phones masked unless the reader may view personal data."""

    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField(source="customer.name")
    relation = serializers.CharField()
    started_on = serializers.DateField()
    phones = serializers.SerializerMethodField()

    def get_phones(self, obj) -> list[str]:
        reveal = self.context.get("reveal_personal_data", False)
        return [p.number if reveal else mask_phone(p.number) for p in obj.customer.phones.all()]


class UnitListOutput(serializers.ModelSerializer):
    """A row of the unit list: the unit, who lives there now, its archive and open work orders."""

    site_name = serializers.CharField(source="site.name", read_only=True, default=None)
    building_name = serializers.CharField(source="building.name", read_only=True, default=None)
    occupied = serializers.SerializerMethodField()
    occupants = serializers.SerializerMethodField()
    archive_percent = serializers.IntegerField(read_only=True)
    open_work_orders = serializers.IntegerField(read_only=True)

    class Meta:
        model = Asset
        fields = ["id", "code", "name", "site", "site_name", "building", "building_name", "floor", "area", "use",
                  "unit_status", "occupied", "occupants", "archive_percent", "open_work_orders"]
        read_only_fields = fields

    def get_occupied(self, obj) -> bool:
        return bool(obj.occupants)

    def get_occupants(self, obj) -> list[dict]:
        return UnitOccupantOutput(obj.occupants, many=True, context=self.context).data  # type: ignore[return-value]  # many=True gives a list (ReturnList); the stubs say ReturnDict
