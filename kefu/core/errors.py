"""Application errors and the one JSON error shape of the API.

Services raise `ApplicationError` subclasses; the API turns them (and DRF's own errors) into
`{"code": ..., "message": ..., "fields": {...}}` with the matching HTTP status, and the UI
turns them into a message on the page. Messages are translated at raise time, so they follow
the language of the request.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A refusal the caller can act on: carries a stable code, a message and per-field errors."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = {k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
                       for k, v in (fields or {}).items()}


class InvalidInput(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def field_error(field: str, message: str, code: str = "invalid") -> InvalidInput:
    """A 400 whose message names one field (the services' usual refusal of bad input)."""
    return InvalidInput(message, code=code, fields={field: [message]})


def required_field(field: str) -> InvalidInput:
    """A 400 for a missing field, naming it."""
    return field_error(field, _("This field is required: %(field)s") % {"field": field}, "required")


class NotAllowed(ApplicationError):
    """The actor's role or authority does not permit this action (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class NotFound(ApplicationError):
    """The object does not exist or is not visible to the actor (404: no existence leak)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Conflict(ApplicationError):
    """The current state forbids the action, or someone changed the object meanwhile (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail → {"field": ["message", ...]} with dotted paths for nesting."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for i, sub in enumerate(value):
                    walk(f"{prefix}.{i}" if prefix else str(i), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: every error leaves the API in the same shape."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), None)
        message = _("Invalid input.")
        if first:
            name, msgs = first
            message = _("Invalid input: %(field)s: %(error)s") % {"field": name, "error": msgs[0]}
        response.data = error_body("invalid", message, fields)
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _("Request refused.")
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = error_body(str(code), message)
    return response
