from rest_framework import serializers

from kefu.notices.choices import NoticeStatus


class NoticeTargetSerializer(serializers.Serializer):
    sites = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)
    buildings = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)
    units = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=50)


class NoticeInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=500)
    channels = serializers.ListField(child=serializers.CharField(max_length=10), max_length=3,
                                     help_text="any of: wechat, sms, email (tried in that order)")
    target = serializers.JSONField(help_text='{"sites": [...], "buildings": [...], "units": [...], "tags": [...]}')
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    urgent = serializers.BooleanField(required=False, default=False)


class NoticeActionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class NoticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    target = serializers.JSONField()
    send_at = serializers.DateTimeField(allow_null=True)
    urgent = serializers.BooleanField()
    status = serializers.ChoiceField(choices=NoticeStatus.choices)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    recipients = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    logged = serializers.IntegerField()
    queued = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    sms_parts = serializers.IntegerField(help_text="SMS parts per recipient for the text in Chinese")
