from django.urls import path

from kefu.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("report/", views.report, name="report"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/message/", views.order_message, name="order_message"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/photos/<int:attachment_pk>/", views.order_photo, name="order_photo"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("q/<str:token>/", views.qr_entry, name="qr"),
    path("qr-codes/", views.qr_codes, name="qr_codes"),
]
