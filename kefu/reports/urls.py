from django.urls import path

from kefu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.service_analysis, name="service_analysis"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("definitions/", views.definitions, name="definitions"),
    path("orders/", views.orders, name="orders"),
    path("survey-records/", views.survey_records, name="survey_records"),
    path("duty-log/", views.duty_log, name="duty_log"),
    path("generated/", views.generated_list, name="generated"),
    path("generated/<int:pk>/", views.generated_download, name="generated_download"),
    path("export/<slug:report>.<slug:fmt>", views.export, name="export"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/new/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/active/", views.schedule_set_active, name="schedule_set_active"),
    path("schedules/<int:pk>/run/", views.schedule_run, name="schedule_run"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
    path("<slug:report>/", views.type_report, name="type_report"),
]
