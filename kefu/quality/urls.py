from django.urls import path

from kefu.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.check_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.action, name="action"),
]
