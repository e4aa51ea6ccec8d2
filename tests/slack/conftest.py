"""Fixtures: the local Slack Web API (real sockets on 127.0.0.1) and a scan helper."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from checks.engine import evaluate
from connectors.base import Target
from connectors.slack.connector import SlackConnector
from core.knowledge import default_kb
from core.models import Collection, Finding
from core.policy import Policy
from sandbox.slack import SlackServer, load_dataset, service_for

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk loads env proxies and AsyncWebClient ignores NO_PROXY (field guide 4.1)."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


class Sandbox:
    def __init__(self, server: SlackServer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = server
        service = service_for(server)
        self.settings: dict[str, Any] = {**service.settings, "max_retries": 1}
        for name, value in service.env.items():
            monkeypatch.setenv(name, value)
        self.monkeypatch = monkeypatch

    def collect(self, **overrides: Any) -> Collection:
        settings = {k: v for k, v in {**self.settings, **overrides}.items() if v is not None}
        return SlackConnector(Target("kn-slack", "slack", settings)).collect()

    def token(self, value: str, name: str = "TEST_SLACK_EXTRA") -> str:
        """A secret reference to ``value`` (the way a user passes a token)."""
        self.monkeypatch.setenv(name, value)
        return f"env:{name}"


@pytest.fixture
def dataset() -> Callable[[str], dict[str, Any]]:
    return lambda name="slack_demo": copy.deepcopy(load_dataset(name))


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Sandbox]]:
    servers: list[SlackServer] = []

    def start(data: dict[str, Any] | str = "slack_demo", page_cap: int = 1000) -> Sandbox:
        server = SlackServer(load_dataset(data) if isinstance(data, str) else data, page_cap)
        servers.append(server.start())
        return Sandbox(server, monkeypatch)

    yield start
    for server in servers:
        server.stop()


def findings(
    collection: Collection, policy: Policy | None = None, check: str | None = None
) -> list[Finding]:
    result = evaluate(collection, policy or Policy(), default_kb(), date(2026, 11, 28))
    return [f for f in result if check is None or f.check_id == check]
