from django.urls import path

from kefu.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.board, name="board"),
    path("export.<str:file_format>", views.export, name="export"),
    path("<slug:code>/records/", views.records, name="records"),
    path("<slug:code>/rule/", views.rule_set, name="rule_set"),
]
