from django.urls import path

from kefu.notifications import receipts, views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("orders/<int:pk>/messages/", views.order_messages, name="order_messages"),
    path("receipts/<slug:provider>/<str:token>/", receipts.sms_receipts, name="sms_receipts"),
]
