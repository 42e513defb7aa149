from django.urls import path

from kefu.tokens import api

urlpatterns = [
    path("token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("tokens/", api.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", api.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("logout/", api.LogoutView.as_view(), name="api-logout"),
]
