"""OpenAPI post-processing: every operation documents the error envelope its errors use."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

ERROR_STATUSES = {
    "400": "Invalid input; `error.fields` names the fields.",
    "401": "Not logged in.",
    "403": "Not allowed (or CSRF token missing on a session write).",
    "404": "Not found, or not yours.",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state.",
    "415": "Unsupported media type.",
    "429": "Too many requests; see Retry-After.",
    "503": "The database is unavailable; nothing was changed. Retry after Retry-After seconds.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
