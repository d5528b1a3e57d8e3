from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.enums import FeedChoice, KisEnvironment, Language, Theme
from accounts.models import User, UserSettings
from config.exceptions import DomainError
from config.inputs import JsonInput

INVALID_CREDENTIALS = _("아이디 또는 비밀번호가 올바르지 않습니다.")
USERNAME_INVALID = _("아이디는 글자, 숫자와 @ . + - _ 기호로만 입력해 주세요.")


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "date_joined"]


class LoginInput(JsonInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class LoginOutput(serializers.Serializer):
    user = UserOutput()
    token = serializers.CharField()


class RegisterInput(JsonInput):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        trim_whitespace=False,
        error_messages={"invalid": USERNAME_INVALID},
    )
    password = serializers.CharField(
        min_length=8,
        max_length=256,
        trim_whitespace=False,
        help_text="At least 8 characters, not all digits, not a common password, not like the username.",
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)


class SettingsOutput(serializers.ModelSerializer):
    kis_app_key = serializers.SerializerMethodField()
    has_kis_credentials = serializers.SerializerMethodField()

    class Meta:
        model = UserSettings
        fields = ["language", "theme", "preferred_feed", "kis_environment", "kis_app_key", "has_kis_credentials"]

    def get_kis_app_key(self, obj: UserSettings) -> str | None:
        """Masked: never the key itself."""
        if not obj.kis_app_key_encrypted:
            return None
        return "••••••••" + obj.kis_app_key_hint

    def get_has_kis_credentials(self, obj: UserSettings) -> bool:
        return bool(obj.kis_app_key_encrypted and obj.kis_app_secret_encrypted)


class SettingsInput(JsonInput):
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    theme = serializers.ChoiceField(choices=Theme.choices, required=False)
    preferred_feed = serializers.ChoiceField(choices=FeedChoice.choices, required=False)
    kis_environment = serializers.ChoiceField(choices=KisEnvironment.choices, required=False)
    kis_app_key = serializers.CharField(required=False, allow_blank=True, max_length=200, write_only=True)
    kis_app_secret = serializers.CharField(required=False, allow_blank=True, max_length=400, write_only=True)


class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginInput, responses={200: LoginOutput}, auth=[])
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise DomainError(INVALID_CREDENTIALS, code="invalid_credentials")
        login(request._request, user)
        return Response({"user": UserOutput(user).data, "token": services.user_token(user=user)})


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=RegisterInput, responses={201: LoginOutput}, auth=[])
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(
            {"user": UserOutput(user).data, "token": services.user_token(user=user)}, status=status.HTTP_201_CREATED
        )


@method_decorator(ensure_csrf_cookie, name="dispatch")
class MeApi(APIView):
    """The logged-in user. Also sets the CSRF cookie the SPA sends back on writes."""

    @extend_schema(responses={200: UserOutput})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class CsrfApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={204: None}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsApi(APIView):
    @extend_schema(responses={200: SettingsOutput})
    def get(self, request: Request) -> Response:
        return Response(SettingsOutput(services.settings_get(user=request.user)).data)

    @extend_schema(request=SettingsInput, responses={200: SettingsOutput})
    def patch(self, request: Request) -> Response:
        data = SettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.settings_update(user=request.user, **data.validated_data)
        return Response(SettingsOutput(row).data)
