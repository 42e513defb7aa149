from django.urls import path

from kefu.reports.api import views

urlpatterns = [
    path("service-analysis/", views.ServiceAnalysisView.as_view(), name="api-report-service-analysis"),
    path("orders/", views.ReportOrdersView.as_view(), name="api-report-orders"),
    path("<slug:report>/", views.TypeReportView.as_view(), name="api-report-type"),
]
