from django.urls import path

from kefu.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("owners/", views.owner_options, name="owner_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.action, name="action"),
]
