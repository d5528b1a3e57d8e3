"""The two configurations load, health reports every part, and the embedded default boots."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests import servers

ROOT = Path(__file__).resolve().parent.parent


def _settings_in_subprocess(env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
        "'layer': settings.CHANNEL_LAYERS['default']['BACKEND'], 'tasks': settings.TASK_MODE,"
        "'feed_in_process': settings.MARKET_FEED_IN_PROCESS}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "PAPERTRADE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_environment(tmp_path):
    loaded = _settings_in_subprocess(
        {"DJANGO_SETTINGS_MODULE": "config.settings.local", "PAPERTRADE_VAR_DIR": str(tmp_path)}
    )
    assert loaded == {
        "engine": "django.db.backends.sqlite3",
        "layer": "channels.layers.InMemoryChannelLayer",
        "tasks": "thread",
        "feed_in_process": True,
    }


def test_services_configuration_from_urls():
    loaded = _settings_in_subprocess(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": "postgres://papertrade@127.0.0.1:5432/papertrade",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert loaded == {
        "engine": "django.db.backends.postgresql",
        "layer": "channels_redis.core.RedisChannelLayer",
        "tasks": "celery",
        "feed_in_process": False,
    }


def test_production_refuses_to_start_without_secrets():
    with pytest.raises(subprocess.CalledProcessError) as excinfo:
        _settings_in_subprocess({"DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert "DJANGO_SECRET_KEY" in excinfo.value.stderr


def test_production_passes_check_deploy():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "PAPERTRADE_"))} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k3#Jq9$zL1@wV7^pX5&mB2*nC8(rT4)yH6_uE0+aS!dF-gQ7vW3",
        "PAPERTRADE_FIELD_ENCRYPTION_KEY": "q3Kx2mWl3b2m8B5bJ0mJzRk1o9v5c3y0oQpW1N4pS2E=",
        "DJANGO_ALLOWED_HOSTS": "papertrade.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_health_reports_every_part(api_client):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "task_queue", "exchange"}
    assert body["checks"]["database"]["vendor"] == ("sqlite" if not settings.DATABASE_URL else "postgresql")
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_health_is_degraded_but_ready_while_the_exchange_is_away(api_client, settings):
    from market import venue

    settings.REDIS_URL = ""
    served = venue.local()
    venue.serve(None)
    try:
        response = api_client.get("/api/v1/health")
    finally:
        venue.serve(served)
    assert response.status_code == 200, "the process still serves everything but orders"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["exchange"]["ok"] is False
    assert "거래소" in body["checks"]["exchange"]["error"]


@pytest.mark.slow
def test_embedded_default_boots_end_to_end(tmp_path):
    """migrate + seed + serve on a fresh SQLite file with no services configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "PAPERTRADE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "PAPERTRADE_VAR_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run([sys.executable, "manage.py", "seed_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = servers.free_port()
    server = subprocess.Popen(
        servers.web_cmd(port),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(300):  # until the in-process exchange has come up too
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as resp:
                    body = json.loads(resp.read())
                    if body["status"] == "ok":
                        break
            except OSError:
                pass
            time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert body["status"] == "ok", body
        assert body["checks"]["exchange"]["transport"] == "in-process"
        assert body["checks"]["database"]["vendor"] == "sqlite"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as resp:
            assert resp.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_empty_variables_count_as_unset(tmp_path):
    """compose passes `VAR=` through; an empty value must fall back to the default, not crash."""
    loaded = _settings_in_subprocess(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PAPERTRADE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "PAPERTRADE_FEED_SEED": "",
            "PAPERTRADE_TASK_MODE": "",
        }
    )
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["tasks"] == "thread"


@pytest.mark.django_db
def test_demo_seed_gives_a_user_and_a_back_office_login(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - twice: idempotent
    assert client.login(username="demo", password="papertrade-demo")
    assert client.get("/admin/").status_code == 302  # demo is not staff
    client.logout()
    assert client.login(username="admin", password="papertrade-admin")
    assert client.get("/admin/").status_code == 200
