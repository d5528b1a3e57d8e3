import pytest
from django.urls import reverse

from accounts import crypto
from accounts.api import INVALID_CREDENTIALS, USERNAME_INVALID
from accounts.models import UserSettings
from accounts.services import KIS_KEYS_REQUIRED, USERNAME_TAKEN
from config import exceptions

pytestmark = pytest.mark.django_db


def test_register_logs_in_and_returns_a_token(api_client):
    response = api_client.post(
        "/api/v1/auth/register", {"username": "minji", "password": "kospi-2500-dream"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["username"] == "minji"
    assert len(response.json()["token"]) == 40
    assert api_client.get("/api/v1/auth/me").json()["username"] == "minji"


def test_register_twice_is_a_clear_409(api_client, user):
    response = api_client.post("/api/v1/auth/register", {"username": "alice", "password": "kospi-2500-dream"})
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "username_taken",
        "message": USERNAME_TAKEN,
        "fields": {"username": [USERNAME_TAKEN]},
    }


def test_register_refuses_a_username_with_other_characters_in_korean(api_client):
    response = api_client.post("/api/v1/auth/register", {"username": "min ji!", "password": "kospi-2500-dream"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"username": [USERNAME_INVALID]}


def test_register_rejects_weak_password(api_client):
    response = api_client.post("/api/v1/auth/register", {"username": "bob", "password": "1234"})
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_login_sets_session_and_token_works(api_client, user):
    response = api_client.post("/api/v1/auth/login", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert api_client.get("/api/v1/auth/me").status_code == 200  # session

    from rest_framework.test import APIClient

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert script.get("/api/v1/auth/me").json()["username"] == "alice"


def test_login_with_wrong_password(api_client, user):
    response = api_client.post("/api/v1/auth/login", {"username": "alice", "password": "nope"})
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid_credentials", "message": INVALID_CREDENTIALS, "fields": {}}
    assert INVALID_CREDENTIALS == "아이디 또는 비밀번호가 올바르지 않습니다."


def test_logout_ends_the_session(api_client, user):
    api_client.post("/api/v1/auth/login", {"username": "alice", "password": "correct-horse-battery"})
    assert api_client.post("/api/v1/auth/logout").status_code == 204
    assert api_client.get("/api/v1/auth/me").status_code in (401, 403)


def test_me_requires_login(api_client):
    response = api_client.get("/api/v1/auth/me")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["message"]


def test_session_writes_need_csrf(user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.post("/api/v1/auth/login", {"username": "alice", "password": "correct-horse-battery"})
    refused = client.patch("/api/v1/settings", {"theme": "dark"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    client.get("/api/v1/auth/me")
    token = client.cookies["csrftoken"].value
    accepted = client.patch("/api/v1/settings", {"theme": "dark"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_kis_keys_are_write_only_and_encrypted(auth_client, user):
    response = auth_client.patch(
        "/api/v1/settings",
        {"kis_app_key": "PSabcdefghijklmn1234", "kis_app_secret": "s3cr3t-value-xyz", "language": "en"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kis_app_key"] == "••••••••1234"
    assert body["has_kis_credentials"] is True
    assert body["language"] == "en"
    assert "PSabcdefghijklmn1234" not in response.content.decode()
    assert "s3cr3t-value-xyz" not in auth_client.get("/api/v1/settings").content.decode()
    row = UserSettings.objects.get(user=user)
    assert "PSabcdefghijklmn1234" not in row.kis_app_key_encrypted
    assert crypto.decrypt(row.kis_app_key_encrypted) == "PSabcdefghijklmn1234"
    assert crypto.decrypt(row.kis_app_secret_encrypted) == "s3cr3t-value-xyz"


def test_settings_validation_messages(auth_client):
    response = auth_client.patch("/api/v1/settings", {"theme": "purple"}, format="json")
    assert response.status_code == 400
    assert "theme" in response.json()["error"]["fields"]
    kis = auth_client.patch("/api/v1/settings", {"preferred_feed": "kis"}, format="json")
    assert kis.status_code == 422  # keeps to the schema; refused for want of saved keys
    assert kis.json()["error"]["message"] == KIS_KEYS_REQUIRED
    assert kis.json()["error"]["fields"] == {"preferred_feed": [KIS_KEYS_REQUIRED]}


def test_unknown_api_route_is_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": exceptions.NO_API_ENDPOINT.format(path="/api/v1/no-such-thing"),
        "fields": {},
    }


def test_a_missing_row_is_a_404_in_korean(auth_client):
    response = auth_client.get("/api/v1/jobs/999999")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == exceptions.NOT_FOUND


def test_an_unexpected_error_is_a_500_in_korean():
    response = exceptions.api_exception_handler(RuntimeError("boom"), {})
    assert response.status_code == 500
    assert response.data["error"] == {"code": "server_error", "message": exceptions.SERVER_ERROR, "fields": {}}


def test_a_validation_error_without_messages_still_says_what_happened():
    from rest_framework.exceptions import ValidationError

    response = exceptions.api_exception_handler(ValidationError([]), {})
    assert response.status_code == 400
    assert response.data["error"]["message"] == exceptions.INVALID_INPUT


def test_schema_and_docs_are_public(api_client):
    schema = api_client.get(reverse("schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/auth/login" in schema.json()["paths"]
    assert api_client.get(reverse("api-docs")).status_code == 200


def test_admin_login_page_is_titled(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "papertrade" in response.content.decode()


def test_login_is_throttled_with_retry_after(api_client, user, monkeypatch):
    import random

    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    # A fresh client address per run: throttle counters live in the shared cache.
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    statuses = [
        api_client.post(
            "/api/v1/auth/login", {"username": "alice", "password": "wrong"}, REMOTE_ADDR=address
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    refused = api_client.post(
        "/api/v1/auth/login", {"username": "alice", "password": "correct-horse-battery"}, REMOTE_ADDR=address
    )
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"


def test_unknown_api_route_answers_json_404_even_to_a_session_post(user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/accounts/-5/deposit", {"amount": 1})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_nul_characters_in_a_query_are_a_clear_400(auth_client):
    from config.middleware import NUL_IN_REQUEST

    response = auth_client.get("/api/v1/jobs", {"kind": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == NUL_IN_REQUEST


@pytest.mark.parametrize("error", ["django", "pool"])
def test_an_unavailable_database_answers_503_with_retry_after(error):
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    from config.exceptions import DATABASE_UNAVAILABLE, api_exception_handler

    exc = OperationalError("server closed the connection") if error == "django" else PoolTimeout("no connection")
    response = api_exception_handler(exc, {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data["error"]["message"] == DATABASE_UNAVAILABLE
