"""Request ids on every response and log line; API failures in the JSON error shape, 500 included;
a lock conflict left over after the retry answered 409, never 500 (issue #15)."""

import logging
import re

import pytest
from django.test import Client

from kefu.core.requestid import RequestIdLogFilter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kefu.core.tests.error_urls")]

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.fixture
def request_log():
    yield from _records("kefu.request")


def _records(name):
    """Records of a logger, passed through the request-id filter of the settings."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.fixture
def django_log():
    yield from _records("django.request")


def test_every_response_carries_a_request_id(anonymous):
    first, second = anonymous.get("/ping/"), anonymous.get("/ping/")
    assert HEX_ID.match(first["X-Request-ID"]) and HEX_ID.match(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_proxy_request_id_is_kept_and_a_bad_one_replaced(anonymous):
    assert anonymous.get("/ping/", HTTP_X_REQUEST_ID="nginx-1234abcd")["X-Request-ID"] == "nginx-1234abcd"
    replaced = anonymous.get("/ping/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert HEX_ID.match(replaced)


def test_the_log_format_names_the_request():
    from django.conf import settings

    assert "[%(request_id)s]" in settings.LOGGING["formatters"]["kefu"]["format"]
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id"]
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "outside", (), None)
    assert RequestIdLogFilter().filter(record) and record.request_id == "-"


@pytest.mark.parametrize("path", ["/api/test/boom/", "/api/test/drf-boom/"], ids=["django_view", "drf_view"])
def test_an_unexpected_api_error_is_json_and_logged_with_the_request_id(anonymous, request_log, django_log, path):
    response = anonymous.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    request_id = response["X-Request-ID"]
    assert response.json() == {
        "code": "server_error", "fields": {},
        "message": f"Something went wrong on our side. The error has been logged under request id {request_id}."}
    assert b"Traceback" not in response.content and b"boom" not in response.content
    errors = [r for r in request_log if r.levelno == logging.ERROR]
    assert django_log[-1].request_id == request_id  # Django's own "Internal Server Error" line
    assert len(errors) == 1
    assert errors[0].request_id == request_id
    assert errors[0].exc_info is not None and "boom" in str(errors[0].exc_info[1])


def test_an_unexpected_api_error_is_json_in_debug_too(anonymous, settings):
    settings.DEBUG = True
    response = anonymous.get("/api/test/boom/")
    assert (response.status_code, response.json()["code"]) == (500, "server_error")


def test_an_unexpected_page_error_keeps_the_html_page(anonymous):
    response = anonymous.get("/test/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert f"<code>{response['X-Request-ID']}</code>".encode() in response.content


def test_a_lock_conflict_is_409_for_the_api(anonymous, request_log):
    response = anonymous.get("/api/test/locked/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json() == {
        "code": "lock_conflict", "fields": {},
        "message": "Someone else changed this record at the same moment. Reload it and try again."}
    assert [r.levelno for r in request_log] == [logging.WARNING]


def test_a_lock_conflict_is_409_for_a_page(anonymous):
    response = anonymous.get("/test/locked/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert b"409" in response.content and b"Reload it and try again." in response.content


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/v1/no-such-thing/", 404, "not_found"),
    ("/api/v1/work-orders/", 401, "not_authenticated"),
], ids=["unknown_route", "anonymous"])
def test_api_client_errors_are_json(anonymous, path, status, code):
    response = anonymous.get(path)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "fields"}


def test_a_disallowed_host_is_a_json_400_for_the_api(anonymous):
    response = anonymous.get("/api/v1/work-orders/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": response.json()["message"], "fields": {}}


def test_unknown_pages_keep_the_html_404(anonymous):
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_the_errors_speak_chinese_by_default(anonymous):
    assert anonymous.get("/api/test/locked/").json()["message"] == "他人刚刚同时修改了此记录，请刷新后重试。"
    response = anonymous.get("/api/test/boom/")
    assert response.json()["message"] == f"系统出现故障，错误已记录，请求编号 {response['X-Request-ID']}。"
