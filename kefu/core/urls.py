from django.urls import path

from kefu.core import views

app_name = "core"

urlpatterns = [
    path("language/", views.set_language, name="set_language"),
    path("ping/", views.ping, name="ping"),
]
