"""The OpenAPI schema states what the API enforces: field rules the generator leaves out, errors.

Every operation documents the error envelope its errors use. A 400 means the request breaks the
schema; a 422 means it keeps to the schema and a rule of the market or the account refuses it
(not enough cash, a price off the tick grid, a password too common).
"""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from rest_framework import serializers

# DRF strips text fields and refuses what is then empty, and refuses NUL characters everywhere;
# minLength alone would let "  " or "\u0000" pass as valid.
NON_BLANK_TEXT = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"
ANY_TEXT = r"^[^\u0000]*$"


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.ChoiceField)
            and schema.get("type") == "string"
            and not {"pattern", "enum", "format"} & schema.keys()
            and not any(isinstance(v, RegexValidator) for v in field.validators)  # its own pattern follows
        ):
            strips = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NON_BLANK_TEXT if strips else ANY_TEXT
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers a blank string beside a patterned one as `oneOf`, but "" matches both
        # (our text patterns allow it), which makes it invalid under `oneOf`: either is fine, `anyOf`.
        alternatives = schema.get("oneOf")
        if alternatives and {"type": "string", "maxLength": 0} in alternatives:
            schema["anyOf"] = schema.pop("oneOf")


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
    "422": "Keeps to the schema, but a rule of the market or the account refuses it; `error.message` says which.",
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
