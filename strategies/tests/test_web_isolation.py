"""The web process never imports the RL stack: it must stay light and free of torch."""

import json
import os
import subprocess
import sys
from pathlib import Path

RL_MODULES = ["finrl", "stable_baselines3", "torch", "gymnasium"]
ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
import config.urls, config.asgi, strategies.api, strategies.services, strategies.tasks, strategies.admin
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_web_process_does_not_import_the_rl_stack():
    env = {**os.environ, "PAPERTRADE_TEST_EMBEDDED": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (RL_MODULES,)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_rl_stack_is_really_installed():
    """The worker side imports FinRL's real modules (no stand-ins in sys.modules)."""
    probe = (
        "import finrl, finrl.meta.preprocessor.preprocessors, finrl.meta.env_stock_trading.env_stocktrading, "
        "finrl.agents.stablebaselines3.models, torch, alpaca_trade_api, wrds; "
        "print(torch.__version__, finrl.__file__)"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "+cpu" in out.stdout and "site-packages" in out.stdout
