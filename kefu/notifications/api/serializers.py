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
