from django.urls import path

from kefu.workorders import views

app_name = "workorders"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
