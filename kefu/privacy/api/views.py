"""Personal-data API: reveal one value with a reason (logged)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.org.api_permissions import IsStaffMember
from kefu.privacy import services
from kefu.privacy.choices import PersonalField


class RevealInput(serializers.Serializer):
    customer = serializers.IntegerField()
    field = serializers.ChoiceField(choices=[PersonalField.PHONE, PersonalField.ID_NUMBER])
    phone = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=200, allow_blank=True)


class RevealOutput(serializers.Serializer):
    value = serializers.CharField()


class RevealView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=RevealInput, responses={200: RevealOutput})
    def post(self, request):
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        value = services.personal_data_reveal(actor_user=request.user, customer_id=d["customer"], field=d["field"],
                                              reason=d["reason"], phone_id=d["phone"])
        return Response({"value": value})
