"""Request ids: one per request, in the `X-Request-ID` response header and on every log line.

Kept apart from kefu.core.middleware and free of Django imports beyond the HTTP types, because the
logging configuration loads `RequestIdLogFilter` before the apps are ready.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy in front (nginx's $request_id) or a client sent is kept when it looks like one.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("kefu_request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served in this thread ("-" outside a request)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id: on `request.request_id`, in the `X-Request-ID` response header
    and on every log line written while it is served (`RequestIdLogFilter`).

    First in MIDDLEWARE, so even the error pages of the other middleware carry it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the response is closed (request_finished), not reset on the way out: Django
        # logs a 4xx/5xx ("Internal Server Error: …") after the middleware chain has returned.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    _request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="kefu.core.requestid.forget")


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record (for the `[%(request_id)s]` of the log format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True
