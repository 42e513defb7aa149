from django.urls import path

from kefu.customers import views

app_name = "customers"

# `customers:detail` (the 360 page) and `customers:units` are kefu.workspace.views, added to this
# namespace by config/urls.py (they show work orders, callbacks and surveys).

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("lookup/", views.lookup, name="lookup"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("deleted/", views.deleted_list, name="deleted"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("archives/missing/", views.missing_documents, name="missing_documents"),
    path("<str:owner>/<int:pk>/documents/<int:type_pk>/", views.document_upload, name="document_upload"),
]
