from django.urls import path

from kefu.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="articles"),
    path("new/", views.article_create, name="article_create"),
    path("<int:pk>/", views.article_detail, name="article"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/actions/<slug:action>/", views.article_action, name="article_action"),
    path("<int:pk>/vote/", views.article_vote, name="article_vote"),
    path("<int:pk>/files/", views.article_upload, name="article_upload"),
    path("<int:pk>/files/<int:file_id>/", views.article_file, name="article_file"),
    path("cases/from-order/<int:order_pk>/", views.case_from_order, name="case_from_order"),
    path("replies/", views.reply_list, name="replies"),
    path("replies/<int:pk>/", views.reply_edit, name="reply_edit"),
    path("orders/<int:pk>/assist/", views.order_assist, name="order_assist"),
    path("orders/<int:pk>/replies/<int:reply_pk>/apply/", views.reply_apply, name="reply_apply"),
    path("orders/<int:pk>/add-call/", views.add_call, name="add_call"),
    path("intake-assist/", views.intake_assist, name="intake_assist"),
]
