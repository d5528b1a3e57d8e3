"""Fuzz the whole REST API from its own OpenAPI schema against a real server, as a client would.

schemathesis' own runner (`st run`) with every check and every phase (examples, coverage, fuzzing,
stateful); tests/schemathesis.toml says which statuses answer schema-valid input and why the
ignored-auth check is off. No response may be a 5xx; every response must match the schema; input
the schema allows must not get a 400, and input it forbids must not be accepted.
"""

import os
import subprocess
import uuid

import pytest

from tests import servers

pytestmark = [pytest.mark.services, pytest.mark.slow]

MAX_EXAMPLES = os.environ.get("PAPERTRADE_FUZZ_EXAMPLES", "15")
CONFIG = servers.ROOT / "tests" / "schemathesis.toml"


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    name = f"pt_fuzz_{os.getpid()}"
    database_url = servers.fresh_database(name)
    env = servers.service_env(
        database_url,
        "redis://127.0.0.1:6379/2",
        f"ptfuzz{uuid.uuid4().hex[:8]}",
        PAPERTRADE_FEED_IN_PROCESS="1",
        PAPERTRADE_FEED_RATE="5",
        PAPERTRADE_THROTTLE_LOGIN="100000/min",
        PAPERTRADE_THROTTLE_ORDERS="100000/min",
        PAPERTRADE_TASK_MODE="celery",
    )
    servers.migrate_and_seed(env)
    port = servers.free_port()
    log = tmp_path_factory.mktemp("fuzz") / "web.log"
    with servers.process(servers.web_cmd(port), env, log):
        base_url = f"http://127.0.0.1:{port}"
        servers.wait_healthy(base_url)
        yield {"base_url": base_url, "headers": servers.demo_headers(base_url), "log": log}
    servers.drop_database(name)


def test_api_keeps_its_schema_under_every_check_and_phase(fuzz_server, tmp_path):
    base_url = fuzz_server["base_url"]
    token = fuzz_server["headers"]["Authorization"]
    command = [
        str(servers.BIN / "st"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--url",
        base_url,
        "--header",
        f"Authorization: {token}",
        "--checks",
        "all",
        "--exclude-checks",
        "ignored_auth",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        MAX_EXAMPLES,
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    # The runner keeps its cache (.schemathesis/) in the working directory: a throwaway one.
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    report = result.stdout + result.stderr
    assert "Stateful" in report and "Coverage" in report, report[-3000:]
    assert result.returncode == 0, report[-20000:]
