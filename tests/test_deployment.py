"""The deployment files agree with the code: compose services, ports, environment and queues match
the settings; the Procfile, the Makefile targets and the container entry point run commands that
exist; nginx upgrades WebSockets and forwards the headers Django trusts; the docs cover every
variable. Docker does not run here, so these checks are what keeps the files correct."""

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "nginx" / "papertrade.conf"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ["migrate", "web", "worker", "worker-ingestion", "worker-training", "beat", "feed"]
WORKER_SERVICES = ["worker", "worker-ingestion", "worker-training"]
# Sample values for the variables compose requires (`${VAR:?...}`); never used outside these tests.
SECRETS = {
    "DJANGO_SECRET_KEY": "test-only-" + "k" * 60,
    "PAPERTRADE_FIELD_ENCRYPTION_KEY": "ZmFrZS1mZXJuZXQta2V5LWZvci10ZXN0cy0wMTIzNDU=",
    "POSTGRES_PASSWORD": "test-only-password",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def env_example() -> dict[str, str]:
    """Variables of .env.example with their example values (inline comments stripped)."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = re.split(r"\s+#", match.group(2), maxsplit=1)[0].strip()
    return values


def settings_variables() -> set[str]:
    """Every environment variable a settings module reads."""
    source = "\n".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    readers = r"os\.environ\.get|os\.environ\.setdefault|env_str|env_bool|env_list|os\.environ\["
    pattern = rf"(?:{readers})\(?\s*\"([A-Z][A-Z0-9_]*)\""
    return set(re.findall(pattern, source))


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable interpolation: ${VAR}, ${VAR:-default} (nested), ${VAR:?error}, $$."""
    out, i = [], 0
    while i < len(value):
        if value.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if not value.startswith("${", i):
            out.append(value[i])
            i += 1
            continue
        depth, j = 1, i + 2
        while depth:
            if value.startswith("${", j):
                depth, j = depth + 1, j + 2
                continue
            depth -= value[j] == "}"
            j += 1
        name, op, rest = re.match(
            r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?|-|\?)(.*))?$", value[i + 2 : j - 1], re.S
        ).groups()
        current = env.get(name)
        missing = current is None or (current == "" and op in (":-", ":?"))
        if op in (":?", "?") and missing:
            raise KeyError(f"{name}: {rest}")
        out.append(interpolate(rest, env) if op in (":-", "-") and missing else (current or ""))
        i = j
    return "".join(out)


def entrypoint_commands() -> dict[str, list[str]]:
    """Process name -> the command line deploy/entrypoint.sh runs for it."""
    branches = re.findall(r"^\s*([a-z-]+)\)\s*\n(?:\s*#.*\n)*\s*exec (.+?) ;;", ENTRYPOINT.read_text(), re.M)
    return {name: [arg for arg in shlex.split(command) if arg != "$@"] for name, command in branches}


def makefile_commands(target: str) -> list[str]:
    # Without the parent make's variables: under `make test` they would add "make[1]: ..." lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")}
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return shlex.split(out.strip().splitlines()[-1])


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(":", 1) for line in lines if line.strip())}


def queues_of(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else set()


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}


def assert_runnable(command: list[str]) -> None:
    """The program exists in the venv and its target exists: manage.py command, Celery app, ASGI app."""
    program = Path(command[0]).name
    assert program in {"python", "celery"}, command
    assert program == "python" or (Path(sys.executable).parent / program).exists(), f"{program} is not installed"
    if command[1:3] == ["-m", "config.serve"]:
        options = dict(zip(command[3::2], command[4::2], strict=True))
        assert set(options) <= {"--host", "--port", "--workers"}, command
    elif program == "python":
        assert command[1] == "manage.py" and command[2] in get_commands(), command
    elif program == "celery":
        assert command[1:3] == ["-A", "config"] and command[3] in {"worker", "beat"}, command
        from config.celery import app

        assert app.main == "papertrade"
        if command[3] == "worker":
            assert queues_of(command) <= routed_queues(), f"{command} consumes a queue no task is routed to"
        else:
            scheduler = command[command.index("--scheduler") + 1]
            assert scheduler == settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_compose_file_is_valid_compose_spec(compose):
    # deploy/compose-spec.schema.json: the Compose Specification's JSON schema (compose-spec/compose-spec).
    schema = json.loads((ROOT / "deploy" / "compose-spec.schema.json").read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(compose)]
    assert errors == []


def test_compose_has_every_process_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "nginx", *APP_SERVICES}
    for name, service in services.items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_exactly_one_beat_and_feed_and_several_web_processes(compose):
    services = compose["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["feed"]["deploy"]["replicas"] == 1
    assert services["web"]["deploy"]["replicas"] >= 2
    assert [services[name]["command"][0] for name in ("beat", "feed", "web")] == ["beat", "feed", "web"]


def test_only_nginx_is_published_and_ports_line_up(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    host_port, container_port = interpolate(services["nginx"]["ports"][0], {}).rsplit(":", 1)
    assert int(host_port) > 0
    conf = NGINX_CONF.read_text()
    assert re.search(rf"^\s*listen {container_port} default_server;", conf, re.M)
    assert services["web"]["expose"] == ["8000"]
    assert re.search(r"^\s*server web:8000\b", conf, re.M), "nginx must proxy to the web service's port"
    web = entrypoint_commands()["web"]
    assert web[web.index("--port") + 1] == "${PORT:-8000}"
    assert "http://127.0.0.1/nginx-health" in services["nginx"]["healthcheck"]["test"]
    assert re.search(r"location = /nginx-health", conf)


def test_every_settings_variable_is_in_env_example():
    documented = set(env_example())
    undocumented = settings_variables() - documented
    assert not undocumented, f"config/settings read variables missing from .env.example: {sorted(undocumented)}"


def test_app_environment_matches_settings_and_env_example(compose):
    documented = set(env_example())
    read = settings_variables()
    for name in APP_SERVICES:
        service = compose["services"][name]
        environment = service["environment"]
        unknown = set(environment) - (documented & (read | {"DJANGO_SETTINGS_MODULE"}))
        assert not unknown, f"{name}: {unknown} are not settings variables listed in .env.example"
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["PAPERTRADE_TASK_MODE"] == "celery"
        assert environment["PAPERTRADE_FEED_IN_PROCESS"] == "false"
        # Every other .env.example variable reaches the container through the project's .env.
        assert service["env_file"] == [{"path": ".env", "required": False}]
        for secret in ("DJANGO_SECRET_KEY", "PAPERTRADE_FIELD_ENCRYPTION_KEY"):
            assert environment[secret].startswith(f"${{{secret}:?"), f"{name}: {secret} must be required"
        assert "papertrade-var:/var/lib/papertrade" in service["volumes"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in [n for n in APP_SERVICES if n != "migrate"]:
        assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert compose["services"][name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_workers_consume_every_routed_queue_once(compose):
    commands = entrypoint_commands()
    consumed: dict[str, list[str]] = {}
    for name in WORKER_SERVICES:
        for queue in queues_of(commands[compose["services"][name]["command"][0]]):
            consumed.setdefault(queue, []).append(name)
    assert {queue: len(names) for queue, names in consumed.items()} == dict.fromkeys(routed_queues(), 1)
    assert consumed["ingestion"] == ["worker-ingestion"]
    assert consumed["training"] == ["worker-training"]
    assert consumed[settings.CELERY_TASK_DEFAULT_QUEUE] == ["worker"]
    assert settings.CELERY_TASK_ROUTES["historical.*"]["queue"] == "ingestion"
    assert settings.CELERY_TASK_ROUTES["strategies.*"]["queue"] == "training"
    assert compose["services"]["worker-training"]["build"]["target"] == "training"
    assert "--concurrency=1" in commands["worker-training"]


def _load_production_settings(env: dict[str, str]) -> tuple[dict, list[dict]]:
    """Import config.settings.production through deploy/entrypoint.sh with exactly `env`."""
    code = (
        "import json, logging, django; from django.conf import settings; django.setup();"
        "logging.getLogger('papertrade.deploy').warning('hello from %s', 'production', extra={'job_id': 7});"
        "db = settings.DATABASES['default'];"
        "print(json.dumps({'db': [db['ENGINE'], db['HOST'], db['NAME'], db['USER']], 'redis': settings.REDIS_URL,"
        "'layer': settings.CHANNEL_LAYERS['default']['BACKEND'], 'tasks': settings.TASK_MODE,"
        "'feed_in_process': settings.MARKET_FEED_IN_PROCESS, 'debug': settings.DEBUG,"
        "'proxy': list(settings.SECURE_PROXY_SSL_HEADER), 'kis_rest': settings.KIS_REST_URL,"
        "'seed': settings.MARKET_FEED_SEED, 'hosts': settings.ALLOWED_HOSTS, 'var': str(settings.VAR_DIR)}))"
    )
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"], **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    logs = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    return json.loads(result.stdout.strip().splitlines()[-1]), logs


def test_copied_env_example_boots_production_settings_in_the_containers(compose, tmp_path):
    """`cp .env.example .env` + the three secrets: the container environment loads production
    settings with the compose services, empty example values falling back to the defaults."""
    dotenv = {**env_example(), **SECRETS}  # what compose reads from the project's .env
    service_env = {
        key: interpolate(str(value), dotenv) for key, value in compose["services"]["web"]["environment"].items()
    }
    container_env = {**dotenv, **service_env, "PAPERTRADE_VAR_DIR": str(tmp_path)}  # env_file, then environment
    loaded, logs = _load_production_settings(container_env)
    assert loaded["db"] == ["django.db.backends.postgresql", "postgres", "papertrade", "papertrade"]
    assert loaded["redis"] == "redis://redis:6379/0"
    assert loaded["layer"] == "channels_redis.core.RedisChannelLayer"
    assert (loaded["tasks"], loaded["feed_in_process"], loaded["debug"]) == ("celery", False, False)
    assert loaded["kis_rest"].startswith("https://openapivts.koreainvestment.com")  # empty KIS_REST_URL: default
    assert loaded["seed"] is None
    assert loaded["hosts"] == ["127.0.0.1", "localhost"]
    # Django trusts the header nginx sets on every proxied request.
    assert loaded["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    conf = NGINX_CONF.read_text()
    assert conf.count("proxy_set_header X-Forwarded-Proto $forwarded_proto;") == conf.count("proxy_pass ") == 2
    # Production logs are one JSON object per line, extra fields included.
    hello = [entry for entry in logs if entry["logger"] == "papertrade.deploy"]
    assert hello and hello[0]["message"] == "hello from production" and hello[0]["job_id"] == 7
    assert hello[0]["level"] == "WARNING" and hello[0]["time"].endswith("+00:00")


def test_compose_refuses_to_start_without_secrets(compose):
    for service in ("web", "postgres"):
        for secret in SECRETS:
            values = [str(v) for v in compose["services"][service]["environment"].values()]
            if not any(secret in value for value in values):
                continue
            without = {k: v for k, v in SECRETS.items() if k != secret}
            with pytest.raises(KeyError, match=secret):
                [interpolate(value, without) for value in values]
            assert [interpolate(value, SECRETS) for value in values]


def test_production_settings_refuse_a_missing_secret_key(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PAPERTRADE_VAR_DIR": str(tmp_path),
        "PAPERTRADE_FIELD_ENCRYPTION_KEY": SECRETS["PAPERTRADE_FIELD_ENCRYPTION_KEY"],
        "DJANGO_SECRET_KEY": "",
    }
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr


def test_procfile_makefile_and_entrypoint_run_existing_commands():
    processes = procfile()
    assert {"web", "worker", "beat", "feed"} <= set(processes)
    assert processes["release"] == ["python", "manage.py", "migrate", "--noinput"]
    assert queues_of(processes["worker"]) == routed_queues()
    for command in processes.values():
        assert_runnable(command)
    entry = entrypoint_commands()
    for name, command in entry.items():
        if name != "manage":
            assert_runnable(command)
    for target in ["web", "worker", "worker-ingestion", "worker-training", "beat", "feed"]:
        command = makefile_commands(target)
        assert_runnable([Path(command[0]).name, *command[1:]])
        # The same process on a bare machine as in a container (bind address and extra args aside).
        if target in entry and target not in {"web", "worker"}:
            assert [c for c in command[1:] if c != "-n" and "@%h" not in c] == [
                c for c in entry[target][1:] if c != "-n" and "@%h" not in c
            ]
    assert makefile_commands("worker")[1:] == processes["worker"][1:]
    assert makefile_commands("beat")[1:] == processes["beat"][1:] == entry["beat"][1:]
    assert makefile_commands("feed")[1:] == processes["feed"][1:] == entry["feed"][1:]


def test_nginx_upgrades_websockets_and_forwards_proxy_headers():
    conf = NGINX_CONF.read_text()
    ws = re.search(r"location /ws/ \{(.*?)\n    \}", conf, re.S).group(1)
    for line in [
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $forwarded_proto;",
        "proxy_read_timeout 1h;",
    ]:
        assert line in ws, line
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", conf)
    # Static files come from the paths the Dockerfile's nginx stage copies them to.
    dockerfile = DOCKERFILE.read_text()
    for alias in re.findall(r"alias (\S+);", conf):
        assert re.search(rf"^COPY --from=app-build \S+ {re.escape(alias.rstrip('/'))}$", dockerfile, re.M), alias


def test_nginx_config_passes_nginx_own_check(tmp_path):
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed here (apt-get install nginx-light); the image uses nginx:1.27-alpine")
    site = NGINX_CONF.read_text().replace("server web:8000", "server 127.0.0.1:9")
    site = re.sub(r"listen (\[::\]:)?80 ", r"listen \g<1>18080 ", site)
    site = site.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'error.log'}; events {{}}\n"
        f"http {{ access_log off; {temp} include /etc/nginx/mime.types; include {tmp_path / 'site.conf'}; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_builds_the_spa_then_a_slim_non_root_python_image(compose):
    dockerfile = DOCKERFILE.read_text()
    stages = {name: image for image, name in re.findall(r"^FROM (\S+) AS (\S+)$", dockerfile, re.M)}
    assert stages["spa"].startswith("node:20")
    assert stages["python"].startswith("python:3.11-slim")
    assert stages["app"] == stages["training"] == "app-build"
    assert stages["nginx"].startswith("nginx:")
    assert re.findall(r"^FROM .* AS (\S+)$", dockerfile, re.M)[-1] == "app", "the default target must be the app"
    assert "npm ci" in dockerfile and "npm run build" in dockerfile
    assert "COPY --from=spa /spa/dist frontend/dist" in dockerfile
    assert "pip install -r requirements/base.txt" in dockerfile
    assert "pip install -r requirements/strategies.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and all(user.split(":")[0] not in {"0", "root"} for user in users)
    assert dockerfile.count("HEALTHCHECK ") == 3
    assert '["deploy/entrypoint.sh"]' in dockerfile
    targets = {service["build"]["target"] for service in compose["services"].values() if "build" in service}
    assert targets == {"app", "training", "nginx"} <= set(stages)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "frontend/node_modules", ".git"} <= set(ignored)


def test_docs_table_covers_every_variable():
    docs = (ROOT / "docs" / "deployment.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", docs, re.M))
    missing = set(env_example()) - rows
    assert not missing, f"docs/deployment.md configuration table misses {sorted(missing)}"


def test_ci_workflow_runs_make_test_with_the_services():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["test"]
    assert job["services"]["postgres"]["image"] == "postgres:15"
    assert job["services"]["redis"]["image"] == "redis:7"
    uses = {step.get("uses", "").split("@")[0]: step.get("with", {}) for step in job["steps"]}
    assert uses["actions/setup-python"]["python-version"] == "3.11"
    assert uses["actions/setup-node"]["node-version"] == "20"
    assert any(step.get("run") == "make test" for step in job["steps"])


@pytest.mark.services
async def test_an_idle_websocket_consumer_outlives_the_redis_socket_timeout():
    """A consumer's channel may stay empty for minutes (e.g. /ws/jobs between jobs): receiving on
    it must wait, not fail when redis-py's default 5 s socket timeout meets channels-redis's 5 s
    BZPOPMIN (config/settings/base.py, "Deployment")."""
    from channels_redis.core import RedisChannelLayer
    from django.conf import settings

    # A layer of its own, bound to this test's event loop (the shared one may belong to another loop).
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await layer.new_channel("idle.")
    with pytest.raises(TimeoutError):  # asyncio.wait_for gave up waiting: no error from Redis first
        await asyncio.wait_for(layer.receive(channel), timeout=7)
    await layer.send(channel, {"type": "after.idle"})
    assert (await asyncio.wait_for(layer.receive(channel), timeout=5))["type"] == "after.idle"
    await layer.flush()
