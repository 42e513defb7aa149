"""Channel-account API shapes. The secret is write-only: outputs name which secrets are set,
never their values."""

from rest_framework import serializers

from kefu.channels.choices import AccountKind
from kefu.channels.models import ChannelAccount


class ChannelAccountInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    name = serializers.CharField(max_length=100)
    department = serializers.IntegerField()
    provider = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    secret = serializers.CharField(max_length=2000, required=False, allow_blank=True, write_only=True,
                                   trim_whitespace=False)
    config = serializers.JSONField(required=False, default=dict)


class ChannelAccountChangeInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    provider = serializers.CharField(max_length=32, required=False, allow_blank=True)
    secret = serializers.CharField(max_length=2000, required=False, allow_blank=True, write_only=True,
                                   trim_whitespace=False)
    config = serializers.JSONField(required=False)
    is_paused = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class ChannelAccountOutput(serializers.ModelSerializer):
    secret_names = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ChannelAccount
        fields = ["id", "kind", "provider", "name", "department", "config", "is_paused", "secret_names",
                  "version", "created_at", "updated_at"]
