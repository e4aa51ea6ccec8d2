"""The simulated company: start every sandbox service and say how to reach it.

Each provider's sandbox is one line in SANDBOXES, like connectors in their registry. Scanning it
is the application's job (``scanner.demo``): this package imports nothing of the product.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path

from sandbox.service import RunningService

DATA = Path(__file__).parent / "data"
DEMO_POLICY = DATA / "demo_policy.yaml"
COMPANY = "klantenservice-noord"

SANDBOXES: dict[str, str] = {
    "aws": "sandbox.aws:start_aws",
    "m365": "sandbox.graph:start_graph",
    "slack": "sandbox.slack:start_slack",
}


def start(provider: str) -> RunningService:
    module_name, _, function = SANDBOXES[provider].partition(":")
    return getattr(importlib.import_module(module_name), function)()


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set the sandbox's variables (fake credentials, token references) for the scan only."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def running_company(providers: list[str] | None = None) -> Iterator[list[RunningService]]:
    services: list[RunningService] = []
    try:
        for provider in providers or list(SANDBOXES):
            services.append(start(provider))
        yield services
    finally:
        for service in services:
            service.stop()
