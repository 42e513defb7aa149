from django.urls import path

from kefu.core import views

app_name = "core"

# `core:set_language` (/language/) is added to this namespace by config/urls.py: its view is
# kefu.org.views.set_language (it writes the staff profile; core imports no app above it).

urlpatterns = [
    path("ping/", views.ping, name="ping"),
    # Browsers ask for /favicon.ico where a page names no icon (PDFs, JSON, the admin).
    path("favicon.ico", views.favicon, name="favicon"),
]
