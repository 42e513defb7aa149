"""A URLconf for the error tests: the real site plus views that fail on purpose."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config import urls as site


def _boom(request: HttpRequest) -> HttpResponse:
    raise ValueError("boom")


def _locked(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


@api_view(["GET"])
@permission_classes([AllowAny])
def _drf_boom(request: Request) -> Response:
    raise ZeroDivisionError("drf boom")


urlpatterns = [
    path("api/test/boom/", _boom),
    path("api/test/locked/", _locked),
    path("api/test/drf-boom/", _drf_boom),
    path("test/boom/", _boom),
    path("test/locked/", _locked),
    *site.urlpatterns,
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
