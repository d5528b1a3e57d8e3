"""Where the command line keeps the server URL and the user's token between runs.

`PAPERTRADE_URL` and `PAPERTRADE_TOKEN` override the file; `PAPERTRADE_CONFIG` moves it (default
`$XDG_CONFIG_HOME/papertrade/credentials.json`, i.e. ~/.config/...). The file is readable by its
owner only: the token is as good as the password.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from papertrade.client import DEFAULT_URL, Client
from papertrade.errors import AuthenticationError, PapertradeError


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str | None
    username: str | None = None


def credentials_path() -> Path:
    if os.environ.get("PAPERTRADE_CONFIG"):
        return Path(os.environ["PAPERTRADE_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "papertrade" / "credentials.json"


def load() -> Credentials:
    stored: dict[str, str] = {}
    path = credentials_path()
    text = path.read_text().strip() if path.is_file() or path.exists() else ""
    if text:
        try:
            stored = json.loads(text)
        except ValueError as exc:
            raise PapertradeError(f"{path} is not a credentials file; run `papertrade login` again.") from exc
    return Credentials(
        url=os.environ.get("PAPERTRADE_URL") or stored.get("url") or DEFAULT_URL,
        token=os.environ.get("PAPERTRADE_TOKEN") or stored.get("token"),
        username=stored.get("username"),
    )


def save(credentials: Credentials) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"url": credentials.url, "token": credentials.token, "username": credentials.username})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(body)
    os.chmod(path, 0o600)
    return path


def forget() -> None:
    credentials_path().unlink(missing_ok=True)


def logged_in_client() -> Client:
    credentials = load()
    if not credentials.token:
        raise AuthenticationError(
            "Not logged in: run `papertrade login` (or set PAPERTRADE_TOKEN).", status=401, code="not_logged_in"
        )
    return Client(credentials.url, token=credentials.token)
