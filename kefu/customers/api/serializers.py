from rest_framework import serializers

from kefu.core.masking import mask_phone
from kefu.customers.choices import CustomerKind, CustomerTier
from kefu.customers.models import Asset, Customer


class AssetOutput(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True, default=None)

    class Meta:
        model = Asset
        fields = ["id", "kind", "code", "name", "site", "site_name", "building", "floor"]
        read_only_fields = fields


class CustomerOutput(serializers.ModelSerializer):
    """A customer; phone numbers are masked unless the reader may view personal data."""

    phones = serializers.SerializerMethodField()
    assets = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "tier", "email", "phones", "assets", "created_at"]
        read_only_fields = fields

    def get_phones(self, obj) -> list[str]:
        reveal = self.context.get("reveal_personal_data", False)
        return [p.number if reveal else mask_phone(p.number) for p in obj.phones.all()]

    def get_assets(self, obj) -> list[dict]:
        return [AssetOutput(link.asset).data for link in obj.asset_links.all()]


class CustomerCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = serializers.CharField(max_length=100)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    assets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False, default=list)
