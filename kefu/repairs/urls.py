from django.urls import path

from kefu.repairs import views

app_name = "repairs"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.record_action, name="action"),
    path("<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet"),
    path("<int:pk>/signature.png", views.signature, name="signature"),
    path("open/<int:order_pk>/", views.record_open, name="open"),
    path("equipment/", views.equipment_list, name="equipment"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment_detail"),
]
