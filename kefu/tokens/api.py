"""The token API: obtain (sign in), list, revoke, and log out (revoke the token in use)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import field_error
from kefu.tokens import selectors, services
from kefu.tokens.models import ApiToken


class TokenOutput(serializers.ModelSerializer[ApiToken]):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "name", "user", "username", "created_at", "expires_at", "last_used_at",
                  "revoked_at"]
        read_only_fields = fields


class ObtainOutput(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainInput(AuthTokenSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, write_only=True)


class ObtainTokenView(APIView):
    """`POST /api/v1/auth/token/`: a NEW token on every sign-in, valid for KEFU_API_TOKEN_DAYS.

    Authenticates with the Django request so django-axes counts failures with the login page's
    (lockout: 429)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=ObtainInput, responses={200: ObtainOutput}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = ObtainInput(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token, key = services.token_issue(user=serializer.validated_data["user"],
                                          name=serializer.validated_data.get("name", ""))
        return Response({"token": key, "expires_at": token.expires_at})


class TokenListView(generics.ListAPIView[ApiToken]):
    """`GET /api/v1/auth/tokens/`: your tokens (an administrator: everyone's, or `?user=`)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TokenOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        raw = self.request.query_params.get("user")
        if raw is not None and not raw.isdigit():
            raise field_error("user", _("Enter a whole number."))
        return selectors.tokens_for(user=self.request.user, user_id=int(raw) if raw else None)

    @extend_schema(parameters=[OpenApiParameter("user", int, required=False)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TokenRevokeView(APIView):
    """`DELETE /api/v1/auth/tokens/{id}/`: revoke (your own; an administrator: anyone's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.token_revoke(token_id=pk, actor_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """`POST /api/v1/auth/logout/`: revoke the token this request was made with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token_id=request.auth.pk, actor_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
