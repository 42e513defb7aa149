from django.urls import path

from kefu.reports.api import views

urlpatterns = [
    path("service-analysis/", views.ServiceAnalysisView.as_view(), name="api-report-service-analysis"),
    path("orders/", views.ReportOrdersView.as_view(), name="api-report-orders"),
    path("schedules/", views.ReportScheduleListView.as_view(), name="api-report-schedules"),
    path("schedules/<int:pk>/", views.ReportScheduleDetailView.as_view(), name="api-report-schedule"),
    path("schedules/<int:pk>/run/", views.ReportScheduleRunView.as_view(), name="api-report-schedule-run"),
    path("<slug:report>/", views.TypeReportView.as_view(), name="api-report-type"),
]
