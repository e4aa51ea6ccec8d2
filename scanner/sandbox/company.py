"""The simulated company: start every sandbox service, scan it through the normal code path.

Each provider's sandbox is one line in SANDBOXES, like connectors in their registry.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.base import Target
from scanner.knowledge import default_kb
from scanner.policy import Policy
from scanner.sandbox.service import RunningService
from scanner.scan import collect_targets, evaluate_outcome

DATA = Path(__file__).parent / "data"
DEMO_POLICY = DATA / "demo_policy.yaml"
COMPANY = "klantenservice-noord"

SANDBOXES: dict[str, str] = {
    "aws": "scanner.sandbox.aws:start_aws",
    "m365": "scanner.sandbox.graph:start_graph",
    "slack": "scanner.sandbox.slack:start_slack",
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


def run_demo(policy_path: Path | None = None) -> dict[str, Any]:
    """The findings document of a scan of the whole simulated company."""
    policy = Policy.load(policy_path or DEMO_POLICY)
    with running_company() as services:
        targets = [
            Target(f"{COMPANY}-{s.provider}", s.provider, dict(s.settings)) for s in services
        ]
        env = {k: v for s in services for k, v in s.env.items()}
        with environment(env):
            outcome = collect_targets(targets)
    _, document = evaluate_outcome(outcome, policy, default_kb())
    return document
