"""Fuzz the whole REST API from its own OpenAPI schema against a real server.

Every operation gets a bounded number of generated requests (valid and invalid); no response may
be a 5xx, and every response must match the schema (status code documented, body shape).
"""

import os
import uuid

import pytest
import schemathesis
import schemathesis.specs.openapi.checks
from hypothesis import HealthCheck, given, settings

from tests import servers

pytestmark = [pytest.mark.services, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("PAPERTRADE_FUZZ_EXAMPLES", "15"))
# Domain refusals of schema-valid input (wrong password, not enough cash) are correct answers, so
# positive-data acceptance is not checked; everything else is.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
    schemathesis.specs.openapi.checks.negative_data_rejection,
]


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
    log = tmp_path_factory.mktemp("fuzz") / "daphne.log"
    with servers.process(servers.daphne_cmd(port), env, log):
        base_url = f"http://127.0.0.1:{port}"
        servers.wait_healthy(base_url)
        yield {"base_url": base_url, "headers": servers.demo_headers(base_url), "log": log}
    servers.drop_database(name)


def test_api_never_errors_and_matches_schema(fuzz_server):
    """Runs every operation's strategy through Hypothesis; failures are collected per operation."""
    api_schema = schemathesis.openapi.from_url(f"{fuzz_server['base_url']}/api/schema/?format=json")
    headers = fuzz_server["headers"]
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/auth/logout"):
            continue  # would only end the fuzzer's own session
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            case.call_and_validate(base_url=fuzz_server["base_url"], headers=headers, timeout=30, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # every failing operation is reported, not just the first
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:3000]
    assert operations >= 10, "the schema lists too few operations: is the API mounted?"
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
