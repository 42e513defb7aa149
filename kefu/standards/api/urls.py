from django.urls import path

from kefu.standards.api import views

urlpatterns = [
    path("", views.StandardBoardView.as_view(), name="api-standards"),
    path("<slug:code>/rule/", views.StandardRuleView.as_view(), name="api-standard-rule"),
    path("<slug:code>/records/", views.StandardRecordsView.as_view(), name="api-standard-records"),
]
