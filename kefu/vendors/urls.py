from django.urls import path

from kefu.vendors import views, views_nc, views_staff

app_name = "vendors"

urlpatterns = [
    path("", views_staff.vendor_list, name="list"),
    path("<int:pk>/", views_staff.vendor_detail, name="vendor"),
    path("<int:pk>/staff/", views_staff.worker_register, name="worker_register"),
    path("<int:pk>/staff/<int:worker>/qualifications/", views_staff.qualification_add, name="qualification_add"),
    path("<int:pk>/attendance/", views_staff.attendance_record, name="attendance"),
    path("nonconformities/", views_nc.nonconformity_list, name="nonconformities"),
    path("nonconformities/<int:pk>/", views_nc.nonconformity_detail, name="nonconformity"),
    path("nonconformities/<int:pk>/actions/<slug:action>/", views_nc.nonconformity_action,
         name="nonconformity_action"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard"),
    path("scorecards/<int:pk>/sign/", views.scorecard_sign, name="sign"),
    path("scorecards/<int:pk>/recompute/", views.scorecard_recompute, name="recompute"),
    path("scorecards/<int:pk>/statement.<slug:kind>", views.statement, name="statement"),
]
