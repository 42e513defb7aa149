from django.urls import path

from kefu.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("preview/", views.notice_preview, name="preview"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/print/", views.notice_print, name="print"),
    path("<int:pk>/progress/", views.notice_progress, name="progress"),
    path("<int:pk>/actions/<str:action>/", views.notice_action, name="action"),
]
