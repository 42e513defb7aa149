from django.urls import path

from kefu.portal import api

urlpatterns = [
    path("auth/code/", api.CodeView.as_view(), name="portal-auth-code"),
    path("auth/token/", api.TokenView.as_view(), name="portal-auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="portal-auth-logout"),
    path("consent/", api.ConsentView.as_view(), name="portal-consent"),
    path("units/", api.UnitsView.as_view(), name="portal-units"),
    path("units/<int:pk>/", api.UnitView.as_view(), name="portal-unit"),
    path("categories/", api.CategoriesView.as_view(), name="portal-categories"),
    path("orders/", api.OrdersView.as_view(), name="portal-orders"),
    path("orders/<int:pk>/", api.OrderView.as_view(), name="portal-order"),
    path("orders/<int:pk>/confirm/", api.ConfirmView.as_view(), name="portal-order-confirm"),
    path("orders/<int:pk>/messages/", api.MessagesView.as_view(), name="portal-order-messages"),
    path("orders/<int:pk>/cancel/", api.CancelView.as_view(), name="portal-order-cancel"),
    path("orders/<int:pk>/attachments/<int:attachment_pk>/", api.AttachmentView.as_view(),
         name="portal-order-attachment"),
    path("notices/", api.NoticesView.as_view(), name="portal-notices"),
    path("notices/<int:pk>/", api.NoticeView.as_view(), name="portal-notice"),
]
