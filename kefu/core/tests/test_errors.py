"""One error shape for the whole API: application errors and DRF's own, with the right status."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions

from kefu.core.errors import (
    ApplicationError,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    api_exception_handler,
    error_body,
)


@pytest.mark.parametrize(("exc", "status", "code"), [
    (InvalidInput("bad"), 400, "invalid"),
    (NotAllowed("no"), 403, "permission_denied"),
    (NotFound("gone"), 404, "not_found"),
    (Conflict("busy"), 409, "conflict"),
    (Conflict("busy", code="plan_pending"), 409, "plan_pending"),
], ids=["invalid_case", "not_allowed_case", "not_found_case", "conflict_case", "custom_code_case"])
def test_application_errors(exc, status, code):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert response.data == {"code": code, "message": exc.message, "fields": {}}


def test_fields_are_lists_of_strings():
    exc = ApplicationError("x", fields={"a": "one", "b": ["two", 3], "c": ("four",)})
    assert exc.fields == {"a": ["one"], "b": ["two", "3"], "c": ["four"]}
    assert api_exception_handler(exc, {}).data["fields"] == exc.fields


def test_validation_error_is_flattened_with_dotted_paths():
    exc = exceptions.ValidationError({"title": ["required"], "phones": [{}, {"number": ["bad"]}],
                                      "nested": {"inner": ["x", "y"]}})
    response = api_exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == {"title": ["required"], "phones.1.number": ["bad"],
                                       "nested.inner": ["x", "y"]}
    assert "title" in response.data["message"] and "required" in response.data["message"]


def test_validation_error_without_field():
    response = api_exception_handler(exceptions.ValidationError("flat"), {})
    assert response.data["fields"] == {"non_field_errors": ["flat"]}


@pytest.mark.parametrize(("exc", "status", "code"), [
    (Http404(), 404, "not_found"),
    (PermissionDenied(), 403, "permission_denied"),
    (exceptions.NotAuthenticated(), 401, "not_authenticated"),
    (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
    (exceptions.ParseError(), 400, "parse_error"),
    (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
    (exceptions.Throttled(wait=5), 429, "throttled"),
], ids=["http404_case", "django_permission_case", "not_authenticated_case", "authentication_failed_case",
        "parse_error_case", "method_case", "throttled_case"])
def test_drf_errors_take_the_shape(exc, status, code):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert set(response.data) == {"code", "message", "fields"}
    assert (response.data["code"], response.data["fields"]) == (code, {})
    assert response.data["message"]


def test_other_exceptions_are_left_to_django():
    assert api_exception_handler(ValueError("boom"), {}) is None


def test_error_body():
    assert error_body("c", "m") == {"code": "c", "message": "m", "fields": {}}
