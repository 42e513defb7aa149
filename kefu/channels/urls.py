from django.urls import path

from kefu.channels import webhooks

app_name = "channels"
urlpatterns = [
    path("cti/<int:account_id>/events/", webhooks.cti_events, name="cti_events"),
    path("wechat/<int:account_id>/", webhooks.wechat_callback, name="wechat"),
]
