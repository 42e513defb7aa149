from django.urls import path

from kefu.kpi import views

app_name = "kpi"

urlpatterns = [
    path("", views.my_scorecards, name="mine"),
    path("team/", views.team_scorecards, name="team"),
    path("scorecards/<int:pk>/", views.detail, name="detail"),
    path("scorecards/<int:pk>/enter/<slug:code>/", views.enter_value, name="enter"),
    path("scorecards/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("scorecards/<int:pk>/lines/<slug:code>/", views.drilldown, name="drilldown"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/new/<int:user_id>/", views.review_create, name="review_create"),
]
