"""Domain errors and the one DRF exception handler.

Every 4xx/5xx body is {"error": {"code": str, "message": str, "fields": {name: [messages]}}}.
"""

import logging
from typing import Any

import psycopg
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


# Messages are marked for translation with the Korean text as the msgid (config/locale.py); lazy ones
# become text in the language of the request that raises or formats them.
DATABASE_UNAVAILABLE = _("지금은 데이터베이스에 연결할 수 없어 아무것도 바뀌지 않았습니다. 잠시 후 다시 시도해 주세요.")
NOT_FOUND = _("요청한 항목을 찾을 수 없습니다.")
NO_API_ENDPOINT = _("{path}에는 API가 없습니다. 주소를 확인해 주세요.")
INVALID_INPUT = _("입력값이 올바르지 않습니다.")
SERVER_ERROR = _("서버에서 오류가 발생했습니다. 아무것도 바뀌지 않았으니 다시 시도해 주세요.")


class DomainError(Exception):
    """A rule of the domain refuses a request that keeps to the schema; the message is shown as is.

    422, not 400: a 400 means the request breaks the OpenAPI schema (the serializers answer those).
    """

    code = "invalid"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        # Translated now, in the raiser's language: a lazy message (gettext_lazy) by becoming text, a
        # plain one by looking it up as a msgid (constants marked with gettext_noop). Text that is no
        # msgid (already formatted and translated) comes through as it is.
        message = str(message) if isinstance(message, Promise) else gettext(message) if message else message
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidInput(DomainError):
    """Input the schema itself refuses (e.g. a malformed code in a path), caught past the serializers."""

    status_code = status.HTTP_400_BAD_REQUEST


class NotFound(DomainError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND


class Conflict(DomainError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT


class ServiceUnavailable(DomainError):
    """A part of the platform the request needs is away (e.g. the exchange); nothing was done."""

    code = "unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    return {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    # psycopg's own OperationalError covers the pool's PoolTimeout, raised outside Django's wrapper.
    if isinstance(exc, OperationalError | InterfaceError | psycopg.OperationalError):
        # The database is unreachable or saturated: the transaction did not commit.
        logger.warning("database unavailable during an API call: %s", exc)
        response = Response(
            error_body("service_unavailable", DATABASE_UNAVAILABLE), status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = "1"
        return response
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view", exc_info=exc)
        return Response(error_body("server_error", SERVER_ERROR), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        messages = _flatten(exc.detail)
        if "non_field_errors" in fields:
            message = fields["non_field_errors"][0]
        else:
            message = "; ".join(messages) if messages else INVALID_INPUT
        response.data = error_body("invalid", message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), " ".join(_flatten(detail)))
    return response


@csrf_exempt  # answers JSON 404 for every method; there is nothing to protect here
def api_not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", NO_API_ENDPOINT.format(path=request.path)), status=status.HTTP_404_NOT_FOUND
    )
