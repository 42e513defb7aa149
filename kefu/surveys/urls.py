from django.urls import path

from kefu.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:pk>/texts/", views.campaign_texts, name="texts"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_xlsx, name="xlsx"),
    path("campaigns/<int:pk>/report.pdf", views.campaign_pdf, name="pdf"),
    path("campaigns/<int:pk>/qr/", views.campaign_qr, name="qr"),
    path("campaigns/<int:pk>/paper/", views.paper_entry, name="paper"),
    path("campaigns/<int:pk>/<slug:action>/", views.campaign_action, name="action"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    # Public, no login: a respondent's personal link and a building's QR code.
    path("r/<str:token>/", views.respond, name="respond"),
    path("b/<str:token>/", views.building, name="building"),
]
