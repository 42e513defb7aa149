from django.urls import path

from kefu.patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("standard/", views.standard, name="standard"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/checkpoints/<int:checkpoint>/", views.checkpoint_visit, name="visit"),
    path("findings/<int:pk>/work-order/", views.finding_work_order, name="finding_work_order"),
]
