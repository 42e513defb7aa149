from django.urls import path

from kefu.workorders import views

app_name = "workorders"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("new/", views.intake, name="intake"),
    path("new/review/", views.intake_review, name="intake_review"),
    path("new/customer/", views.intake_customer, name="intake_customer"),
    path("new/customer/create/", views.intake_customer_create, name="intake_customer_create"),
    path("new/related/", views.intake_related, name="intake_related"),
    path("assignees/", views.assignee_options, name="assignee_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/actions/<slug:action>/", views.action, name="action"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
