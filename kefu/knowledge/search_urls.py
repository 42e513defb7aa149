"""The header search box's pages (/search/): its own namespace, so templates say {% url 'search:page' %}."""

from django.urls import path

from kefu.knowledge import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="page"),
    path("suggest/", views.search_suggest, name="suggest"),
]
