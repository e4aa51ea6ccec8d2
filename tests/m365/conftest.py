"""A fresh local Graph server per test, and a helper that scans it with the real connector."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors.base import Target
from connectors.m365.connector import M365Connector
from core.models import Collection
from sandbox.graph import GraphServer, load_dataset, service_for

Scan = Callable[..., Collection]


@pytest.fixture
def dataset() -> dict[str, Any]:
    """The demo tenant's dataset; tests edit it before the server starts."""
    return load_dataset()


@pytest.fixture
def graph(dataset: dict[str, Any]) -> Iterator[GraphServer]:
    server = GraphServer(dataset).start()
    yield server
    server.stop()


@pytest.fixture
def settings(graph: GraphServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    service = service_for(graph)
    for name, value in service.env.items():
        monkeypatch.setenv(name, value)
    return {**service.settings, "max_retries": 2}


@pytest.fixture
def scan(settings: dict[str, Any]) -> Scan:
    def run(**overrides: Any) -> Collection:
        connector = M365Connector(Target("helpdesk-noord", "m365", {**settings, **overrides}))
        return connector.collect()

    return run
