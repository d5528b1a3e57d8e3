from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from accounts import crypto
from accounts.models import User, UserSettings
from config.exceptions import Conflict, DomainError

USERNAME_TAKEN = _("이미 사용 중인 아이디입니다. 다른 아이디를 입력해 주세요.")
KIS_KEYS_REQUIRED = _("KIS 시세를 선택하려면 먼저 KIS 앱 키와 앱 시크릿을 저장해 주세요.")


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "") -> User:
    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict(USERNAME_TAKEN, field="username", code="username_taken") from exc
    UserSettings.objects.create(user=user)
    return user


def user_token(*, user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def settings_get(*, user: User) -> UserSettings:
    settings_row, _ = UserSettings.objects.get_or_create(user=user)
    return settings_row


def _hint(secret: str) -> str:
    return secret[-4:] if len(secret) >= 8 else ""


@transaction.atomic
def settings_update(
    *,
    user: User,
    language: str | None = None,
    theme: str | None = None,
    preferred_feed: str | None = None,
    kis_environment: str | None = None,
    kis_app_key: str | None = None,
    kis_app_secret: str | None = None,
) -> UserSettings:
    """Update preferences. An empty string for a KIS key clears it; None leaves it unchanged."""
    row = UserSettings.objects.select_for_update().get(pk=settings_get(user=user).pk)
    for name, value in (
        ("language", language),
        ("theme", theme),
        ("preferred_feed", preferred_feed),
        ("kis_environment", kis_environment),
    ):
        if value is not None:
            setattr(row, name, value)
    if kis_app_key is not None:
        row.kis_app_key_encrypted = crypto.encrypt(kis_app_key)
        row.kis_app_key_hint = _hint(kis_app_key)
    if kis_app_secret is not None:
        row.kis_app_secret_encrypted = crypto.encrypt(kis_app_secret)
    if row.preferred_feed == "kis" and not (row.kis_app_key_encrypted and row.kis_app_secret_encrypted):
        raise DomainError(KIS_KEYS_REQUIRED, field="preferred_feed")
    row.save()
    return row


def kis_credentials(*, user: User) -> tuple[str, str]:
    """The user's decrypted KIS app key and secret, for the KIS adapter only. Never serialise."""
    row = settings_get(user=user)
    return crypto.decrypt(row.kis_app_key_encrypted), crypto.decrypt(row.kis_app_secret_encrypted)
