from django.urls import path

from kefu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.service_analysis, name="service_analysis"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("orders/", views.orders, name="orders"),
    path("duty-log/", views.duty_log, name="duty_log"),
    path("generated/", views.generated_list, name="generated"),
    path("generated/<int:pk>/", views.generated_download, name="generated_download"),
    path("export/<slug:report>.<slug:fmt>", views.export, name="export"),
    path("<slug:report>/", views.type_report, name="type_report"),
]
