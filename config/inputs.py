"""What every API input shares: JSON types checked as the schema states them, codes, ids, bounds.

DRF's fields coerce ("5" becomes 5, 0 becomes "0", "yes" becomes True); the OpenAPI schema states
JSON types, so a client generated from it must not be the only one that keeps to them. Bodies use
`JsonInput`; query strings, where every value is text, use plain serializers with bounded fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from market.models import CODE_PATTERN

# Django stores these as PostgreSQL integer / bigint; a value past them is refused, not overflowed.
MAX_ID = 2**31 - 1
MAX_BIGINT = 2**63 - 1

WRONG_TYPE = {
    "string": _("문자열이어야 합니다."),
    "integer": _("정수여야 합니다."),
    "number": _("숫자여야 합니다."),
    "boolean": _("true 또는 false여야 합니다."),
    "array": _("목록이어야 합니다."),
    "object": _("객체여야 합니다."),
}
CODE_INVALID = _("종목코드는 6자리 영문 대문자 또는 숫자입니다 (예: 005930).")


def _json_type(field: serializers.Field) -> str | None:
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return "number"
    if isinstance(field, serializers.ListField):
        return "array"
    if isinstance(field, serializers.DictField | serializers.JSONField | serializers.Serializer):
        return "object"
    if isinstance(field, serializers.ChoiceField):
        choices = list(field.choices)
        return "string" if all(isinstance(c, str) for c in choices) else None
    if isinstance(field, serializers.CharField | serializers.DateField | serializers.DateTimeField):
        return "string"
    return None


def _type_error(field: serializers.Field, value: Any) -> str | None:
    if value is None:
        return None  # the field itself says whether null is allowed
    kind = _json_type(field)
    ok = {
        None: True,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, Mapping),
    }[kind]
    if not ok:
        return str(WRONG_TYPE[kind])
    if kind == "array" and isinstance(field, serializers.ListField):
        for item in value:
            if problem := _type_error(field.child, item):
                return problem
    return None


def _length_error(field: serializers.Field, value: Any) -> str | None:
    """maxLength counts what was sent; DRF counts what is left after stripping spaces."""
    limit = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and limit is not None and isinstance(value, str) and len(value) > limit:
        return str(field.error_messages["max_length"]).format(max_length=limit)
    return None


class QueryInput(serializers.Serializer):
    """Query parameters: text, whose lengths are the schema's before any stripping."""

    check_json_types = False

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, QueryDict):
            # As plain values: DRF reads a form's empty optional field as left out, but `status=` is
            # a value the schema refuses, so it is a 400 like any other.
            data = {name: data[name] for name in data}
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                value = data[name]
                problem = (self.check_json_types and _type_error(field, value)) or _length_error(field, value)
                if problem:
                    errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class JsonInput(QueryInput):
    """A JSON body: each field's value must already have the JSON type the schema gives it."""

    check_json_types = True


def code_field(**kwargs: Any) -> serializers.RegexField:
    """A KRX short code (6 characters, digits and capitals: 005930, 0001A0)."""
    # \Z, not $: Python's $ also matches before a final newline (the schema's ECMA $ does not).
    pattern = CODE_PATTERN.removesuffix("$") + r"\Z"
    return serializers.RegexField(pattern, trim_whitespace=False, error_messages={"invalid": CODE_INVALID}, **kwargs)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """The id of a row: a positive integer that fits the table's key."""
    return serializers.IntegerField(min_value=1, max_value=MAX_BIGINT, **kwargs)
