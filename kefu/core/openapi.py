"""The published OpenAPI schema says what the API really answers (issue #15).

`add_error_responses` (a drf-spectacular postprocessing hook) documents on every operation the
error answers every operation can give — 400 (bad input, including the input limits of
kefu.core.limits), 401, 403, 404, 409 (state and lock conflicts), 429 (sign-in lockout) — with
the one error shape `Error` ({code, message, fields}), unless the view documented them itself.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable code, a message in the user's language, per-field messages.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "message", "fields"],
}
ERRORS = {
    "400": "Invalid input (names the fields).",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "The role may not do this.",
    "404": "Not found, or not visible to you.",
    "409": "The state forbids it, or someone changed it meanwhile.",
    "429": "Too many failed sign-ins (locked out for a while).",
}
WRITE_ONLY = {"409"}  # reads never conflict
METHODS = ("get", "post", "put", "patch", "delete")


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code in WRITE_ONLY and method == "get":
                    continue
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": ref}}})
    return result
