"""Callback API shapes: the list/detail output, the attempt input, the list's query parameters."""

from rest_framework import serializers

from kefu.callbacks.choices import CallbackStatus, Method, NotReachedReason, Outcome


class AttemptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.CharField()
    attempted_at = serializers.DateTimeField()
    reached = serializers.BooleanField()
    outcome = serializers.CharField()
    solved = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()
    not_reached_reason = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    has_signature = serializers.SerializerMethodField()
    recorded_by = serializers.IntegerField(source="recorded_by_id")

    def get_has_signature(self, obj) -> bool:
        return bool(obj.signature)


class CallbackOutput(serializers.Serializer):
    id = serializers.IntegerField()
    work_order = serializers.IntegerField(source="work_order_id", allow_null=True)
    work_order_number = serializers.SerializerMethodField()
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a serializer field named like a Field attribute, as DRF allows
    reference = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=CallbackStatus.choices)
    due_at = serializers.DateTimeField()
    on_site_required = serializers.BooleanField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    attempts_count = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    outcome = serializers.CharField()
    solved = serializers.BooleanField(allow_null=True)
    reopen_requested = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)

    def get_work_order_number(self, obj) -> str | None:
        return obj.work_order.number if obj.work_order_id else None


class AttemptInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.choices)
    reached = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    attempted_at = serializers.DateTimeField(required=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="The customer's signature as a PNG data URL (on-site callbacks).")
    not_reached_reason = serializers.ChoiceField(choices=NotReachedReason.choices, required=False, allow_blank=True,
                                                 default="", help_text="Not reached: why (no answer, busy, …).")
    next_attempt_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                                help_text="Not reached: when to try again (within 30 days).")
