"""The language the platform answers in: Korean unless the user or the client asks for English.

Korean is the source language: every message is written in Korean and marked for translation, the
Korean text as the msgid: gettext_lazy constants become text in the language active where they are
used (a template: `.format()` translates, then formats); a few plain constants marked with
gettext_noop are translated by DomainError when raised. `locale/en/LC_MESSAGES/django.po` is the
English catalog, with its compiled django.mo beside it. A request's language is, first that applies:

1. the signed-in user's language setting (`UserSettings.language`: the settings page, the SPA's
   한국어/EN switch). An explicit choice wins over what a browser or client sends: a Korean user on
   an English browser, or a script that sends no header, still gets what the setting says. Every
   user registered through the API has a settings row (한국어 unless changed); only users without
   one (e.g. made with `createsuperuser`, until they open the settings) go on to 2.
2. Accept-Language (LocaleMiddleware: Django also reads its `django_language` cookie, which the
   platform never sets), matched against LANGUAGES;
3. LANGUAGE_CODE: Korean.

HTTP: Django's LocaleMiddleware does 2 and 3; `UserLanguageMiddleware` (after the authentication
middleware) does 1 for the session user and for `Authorization: Token <key>`, which DRF only
resolves inside the view: one small query per signed-in request. WebSockets:
`config.ws.GuardedJsonConsumer` activates `scope_language(scope)` for the connection.

Text stored on rows (a job's message, an order's reject_reason) is written in the language active
when it is written: the requester's for what a request does, Korean for workers, beat and the feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


def supported_language(language: str | None) -> str | None:
    """The LANGUAGES code for `language` ("en-us" → "en"), or None if it has none."""
    if not language:
        return None
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return None


def user_language(user_id: int) -> str | None:
    """The user's language setting, or None when the user has no settings row."""
    from accounts.models import UserSettings

    return supported_language(UserSettings.objects.filter(user_id=user_id).values_list("language", flat=True).first())


def token_language(key: str) -> str | None:
    """The language setting of the user an API token belongs to (one query), or None."""
    from rest_framework.authtoken.models import Token

    found = Token.objects.filter(key=key, user__is_active=True).values_list("user__settings__language", flat=True)
    return supported_language(found.first())


def _token_key(authorization: str) -> str | None:
    scheme, _, key = authorization.strip().partition(" ")
    key = key.strip()
    return key if scheme.lower() == "token" and key and " " not in key else None


def request_user_language(request: HttpRequest) -> str | None:
    """The language setting of the user signed in by session or token, or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user_language(user.pk)
    key = _token_key(request.META.get("HTTP_AUTHORIZATION", ""))
    return token_language(key) if key else None


class UserLanguageMiddleware(MiddlewareMixin):
    """Activate the signed-in user's language setting over what LocaleMiddleware chose from the
    request (Accept-Language). Sits after AuthenticationMiddleware; LocaleMiddleware, earlier,
    still sets Content-Language and Vary: Accept-Language on the way out."""

    def process_request(self, request: HttpRequest) -> None:
        language = request_user_language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def scope_language(scope: dict[str, Any]) -> str:
    """A WebSocket connection's language, by the same rules as a request's."""
    from channels.db import database_sync_to_async

    user = scope.get("user")
    if user is not None and user.is_authenticated:
        language = await database_sync_to_async(user_language)(user.pk)
        if language:
            return language
    request = HttpRequest()
    request.META["HTTP_ACCEPT_LANGUAGE"] = _header(scope.get("headers", []), b"accept-language")
    return translation.get_language_from_request(request)
