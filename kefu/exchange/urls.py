from django.urls import path

from kefu.exchange import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/start/", views.import_start, name="import_start"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
    path("export/<slug:list_name>.xlsx", views.export, name="export"),
    path("export/<slug:list_name>/options/", views.export_options, name="export_options"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/merge/", views.merge, name="merge"),
]
