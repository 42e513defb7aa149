from django.urls import path

from kefu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("reveal/", views.reveal, name="reveal"),
    path("access-log/", views.access_log, name="access_log"),
]
