from django.urls import path

from kefu.callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.queue, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attempts/", views.attempt, name="attempt"),
    path("<int:pk>/attempts/<int:attempt_id>/<str:kind>/", views.attempt_file, name="attempt_file"),
    # Staff see the rating page as the customer does (the link itself is not stored, only its hash).
    path("rate-preview/<int:pk>/", views.rate_preview, name="rate_preview"),
    # The customer's page: no login, the token is the key.
    path("rate/<str:token>/", views.rate, name="rate"),
]
