from django.urls import path

from kefu.vendors import views

app_name = "vendors"

urlpatterns = [
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard"),
    path("scorecards/<int:pk>/sign/", views.scorecard_sign, name="sign"),
    path("scorecards/<int:pk>/recompute/", views.scorecard_recompute, name="recompute"),
    path("scorecards/<int:pk>/statement.<slug:kind>", views.statement, name="statement"),
]
