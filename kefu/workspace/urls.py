"""The workspace's pages under /customers/, in the `customers` namespace (config/urls.py adds them
there, so `customers:detail` and `customers:units` keep their names and URLs)."""

from django.urls import path

from kefu.workspace import views

customer_patterns = [
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("units/", views.unit_list, name="units"),
]

# Under /workspace/ in the `workspace` namespace.
workspace_patterns = [
    path("", views.desk, name="desk"),
    path("saved-views/", views.saved_view_save, name="saved_view_save"),
    path("saved-views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
