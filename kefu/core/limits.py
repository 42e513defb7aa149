"""Input limits every request passes before a view sees it (issue #15).

`InputLimitsMiddleware` refuses, with a 400 naming the field (JSON for the API, the 400 page for
pages), before any view or service runs — so nothing is ever half-written:

- a JSON body larger than `KEFU_JSON_MAX_BYTES` (1 MB; uploads are multipart and have their own
  limit, `KEFU_ATTACHMENT_MAX_BYTES`), judged on Content-Length before reading it;
- JSON nested deeper than `KEFU_JSON_MAX_DEPTH` (Python's parser otherwise recurses until
  RecursionError, a 500), or that is not JSON at all;
- a date-time whose time zone offset is beyond ±15:59 (query string or JSON);
- a NUL character anywhere in the input (query string, form fields, JSON keys and strings):
  PostgreSQL cannot store it in text or jsonb and failed with a 500; other control characters
  are refused in the query string (search boxes, filters), and cleaned on output elsewhere
  (kefu.core.spreadsheet).

Field lengths, list lengths and date ranges are the serializers' and services' own checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.core.errors import error_body

QUERY_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# An ISO 8601 date-time with a numeric UTC offset; offsets beyond ±15:59 (or with minutes ≥ 60)
# exist nowhere, and some of them reached the database as a 500.
ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?([+-])(\d{2}):?(\d{2})$")
MAX_OFFSET_MINUTES = 15 * 60 + 59


class Refused(Exception):
    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests lists/objects more than `limit` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, text) of every key and string in a parsed JSON document."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            yield where or "body", node
        elif isinstance(node, dict):
            for key, child in node.items():
                child_path = f"{where}.{key}" if where else str(key)
                yield child_path, key
                stack.append((child, child_path))
        elif isinstance(node, list):
            stack.extend((child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(node))


def bad_offset(text: str) -> bool:
    """True for a date-time whose UTC offset is beyond ±15:59 or has minutes of 60 or more."""
    match = ISO_OFFSET.match(text) if len(text) <= 40 else None
    if match is None:
        return False
    hours, minutes = int(match.group(2)), int(match.group(3))
    return minutes >= 60 or hours * 60 + minutes > MAX_OFFSET_MINUTES


def _offset_refusal(field: str) -> Refused:
    return Refused(field, _("%(field)s: the time zone offset must be between -15:59 and +15:59.") % {"field": field})


def _nul_refusal(field: str) -> Refused:
    return Refused(field, _("%(field)s: control characters (such as NUL) are not allowed.") % {"field": field},
                   "control_characters")


def check_request(request: HttpRequest) -> None:
    """Raise `Refused` for the first limit the request breaks."""
    for name in request.GET:
        for value in request.GET.getlist(name):
            if QUERY_CONTROL_CHARACTERS.search(value) or "\x00" in name:
                raise _nul_refusal(name)
            if bad_offset(value):
                raise _offset_refusal(name)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        for name in request.POST:
            if "\x00" in name or any("\x00" in v for v in request.POST.getlist(name)):
                raise _nul_refusal(name)
    elif content_type == "application/json" or content_type.endswith("+json"):
        _check_json(request)


def _check_json(request: HttpRequest) -> None:
    limit = settings.KEFU_JSON_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise Refused("body", _("The request body is larger than %(kb)s KB.") % {"kb": limit // 1024}, "too_large")
    body = request.body
    if len(body) > limit:  # pragma: no cover (a body longer than its Content-Length is cut by the server)
        raise Refused("body", _("The request body is larger than %(kb)s KB.") % {"kb": limit // 1024}, "too_large")
    if not body.strip():
        return
    try:
        document = json.loads(body)
    except RecursionError:
        document = None
        deep = True
    except ValueError:
        return  # not JSON: the parser of the view answers 400 parse_error
    else:
        deep = json_depth_exceeds(document, settings.KEFU_JSON_MAX_DEPTH)
    if deep:
        raise Refused("body", _("The JSON body is nested more than %(depth)s levels deep.")
                      % {"depth": settings.KEFU_JSON_MAX_DEPTH}, "too_deep")
    for field, text in _json_strings(document):
        if "\x00" in text:
            raise _nul_refusal(field)
        if bad_offset(text):
            raise _offset_refusal(field)


class InputLimitsMiddleware:
    """Runs `check_request` on every request; see the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refused as refused:
            if request.path_info.startswith("/api/"):
                return JsonResponse(error_body(refused.code, refused.message, {refused.field: [refused.message]}),
                                    status=400)
            return render(request, "400.html", {"error_message": refused.message}, status=400)
        return self.get_response(request)
