"""Channel-account API shapes. The secret is write-only: outputs name which secrets are set,
never their values."""

from rest_framework import serializers

from kefu.channels.choices import AccountKind
from kefu.channels.models import Call, ChannelAccount, Conversation, Message


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


class CallOutput(serializers.ModelSerializer):
    work_orders = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = ["id", "account", "call_id", "caller", "line", "agent", "status", "ring_seconds", "ringing_at",
                  "answered_at", "ended_at", "missed_at", "recording_url", "customer", "callback", "work_orders"]

    def get_work_orders(self, call) -> list[int]:
        return sorted(o.pk for o in call.work_orders.all())


class MessageOutput(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "direction", "kind", "text", "received_at", "work_order"]


class ConversationOutput(serializers.ModelSerializer):
    messages = MessageOutput(many=True, read_only=True)

    class Meta:
        model = Conversation
        fields = ["id", "account", "address", "customer", "subject", "status", "work_order", "version",
                  "created_at", "last_message_at", "messages"]


class ConversationActionInput(serializers.Serializer):
    type = serializers.CharField(required=False, max_length=32)
    category = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, max_length=20000, allow_blank=True)
    priority = serializers.CharField(required=False, max_length=16)
    work_order = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False, max_length=500, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)
