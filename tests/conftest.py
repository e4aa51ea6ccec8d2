"""Shared fixtures: one moto server per session on 127.0.0.1, reset before every test.

Nothing here reaches the internet: instance metadata lookups are switched off and every AWS
client is pointed at the loopback server explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from click.testing import CliRunner, Result

from sandbox.aws import SANDBOX_CREDENTIALS, start_moto
from scanner.cli import main

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
    os.environ.pop(proxy, None)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def moto(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A clean moto account with sandbox credentials in the environment."""
    urllib3.request("POST", f"{moto_url}/moto-api/reset")
    urllib3.request("POST", f"{moto_url}/moto-api/reset-auth", body=b"inf")
    for key, value in SANDBOX_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return moto_url


def run_cli(*args: str) -> Result:
    """Invoke `residency` in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def require_system_tool(present: bool, what: str) -> None:
    """A missing system package skips locally but fails in CI, where `make test` installs it:
    a real path must never be skipped silently where it counts."""
    if present:
        return
    message = f"{what} is not installed (scripts/system-deps.sh installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
