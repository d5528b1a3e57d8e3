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
middleware) does 1 for the session user (one small query), and `TokenAuthentication` for
`Authorization: Token <key>` as it resolves the token, with the user's settings in the same query,
before the view runs. WebSockets: `config.ws.GuardedJsonConsumer` activates `scope_language(scope)`
for the connection.

Text stored on rows (a job's message, an order's reject_reason) is written in the language active
when it is written: the requester's for what a request does, Korean for workers, beat and the feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


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


def request_user_language(request: HttpRequest) -> str | None:
    """The language setting of the user signed in by session, or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user_language(user.pk)
    return None


def activate_for(request: HttpRequest, language: str | None) -> None:
    if language and language != translation.get_language():
        translation.activate(language)
        request.LANGUAGE_CODE = language


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the user's settings in the token's query and answering in
    the user's language from then on (rule 1 above)."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        found = super().authenticate(request)
        if found is not None:
            settings = getattr(found[0], "settings", None)  # (a user without a settings row: None)
            activate_for(request._request, supported_language(settings.language) if settings else None)
        return found

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__settings").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class UserLanguageMiddleware(MiddlewareMixin):
    """Activate the signed-in user's language setting over what LocaleMiddleware chose from the
    request (Accept-Language). Sits after AuthenticationMiddleware; LocaleMiddleware, earlier,
    still sets Content-Language and Vary: Accept-Language on the way out."""

    def process_request(self, request: HttpRequest) -> None:
        activate_for(request, request_user_language(request))


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
