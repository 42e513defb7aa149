from django.urls import path

from kefu.channels import views, webhooks

app_name = "channels"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("screen-pop/", views.screen_pop, name="screen_pop"),
    path("figures/", views.figures, name="figures"),
    path("calls/", views.calls, name="calls"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("cti/<int:account_id>/events/", webhooks.cti_events, name="cti_events"),
    path("wechat/<int:account_id>/", webhooks.wechat_callback, name="wechat"),
]
