from django.urls import path

from kefu.frontdesk import views

app_name = "frontdesk"

urlpatterns = [
    path("passes/", views.pass_list, name="passes"),
    path("passes/new/", views.pass_create, name="pass_create"),
    path("passes/occupants/", views.occupant_options, name="occupants"),
    path("passes/<int:pk>/", views.pass_detail, name="pass"),
    path("passes/<int:pk>/actions/<slug:action>/", views.pass_action, name="pass_action"),
    path("gate/<str:token>/", views.scan, name="scan"),
    path("fees/arrears/", views.arrears, name="arrears"),
    path("fees/arrears.xlsx", views.arrears_export, name="arrears_export"),
    path("visitors/", views.visitors, name="visitors"),
    path("keys/", views.keys, name="keys"),
    path("parcels/", views.parcels, name="parcels"),
    path("renovations/", views.renovations, name="renovations"),
    path("lending/", views.lending, name="lending"),
    path("violations/", views.violations, name="violations"),
    path("fees/dunning/", views.dunning, name="dunning"),
    path("fees/import/", views.fees_import, name="fees_import"),
    path("<slug:register>/<int:pk>/actions/<slug:action>/", views.register_action, name="register_action"),
]
