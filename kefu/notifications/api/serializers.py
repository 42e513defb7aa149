from rest_framework import serializers

from kefu.notifications.choices import OutboundEvent


class NotificationPreferenceInput(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    # Plain strings: the service rejects unknown events, with one message for UI and API alike.
    email_actions = serializers.ListField(child=serializers.CharField(max_length=32), max_length=50,
                                          allow_empty=True, help_text=f"any of: {', '.join(OutboundEvent.values)}")
    sms_enabled = serializers.BooleanField()
    wechat_enabled = serializers.BooleanField()


class ChannelOutput(serializers.Serializer):
    channel = serializers.CharField()
    adapter = serializers.CharField()
    delivers = serializers.BooleanField(help_text="false: log only, nothing is sent")


class NotificationPreferenceOutput(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    email_actions = serializers.ListField(child=serializers.CharField())
    sms_enabled = serializers.BooleanField()
    wechat_enabled = serializers.BooleanField()
    channels = ChannelOutput(many=True)


class OrderMessageOutput(serializers.Serializer):
    """One message to the customer about a work order, as the order's messages list shows it."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    to = serializers.CharField(help_text="masked unless the reader may see personal data")
    status = serializers.ChoiceField(choices=["queued", "logged", "sent", "delivered", "failed", "suppressed"])
    reason = serializers.CharField(allow_blank=True)
    text = serializers.CharField(help_text="links removed once the message is final")
    parts = serializers.IntegerField(help_text="SMS parts billed (0 until sent)")
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
