"""HTTP middleware shared by every app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from config.exceptions import error_body

NUL_IN_REQUEST = _("요청 주소와 쿼리에는 NUL 문자를 넣을 수 없습니다.")


class RejectNulCharactersMiddleware:
    """Answer 400 when the path or a query parameter holds a NUL character.

    PostgreSQL cannot store or compare text with NUL, so such a value would otherwise fail deep
    inside a query as a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            return JsonResponse(error_body("invalid", NUL_IN_REQUEST), status=400)
        return self.get_response(request)
