"""Clients with Microsoft 365 tenants and Slack workspaces, each on its own local sandbox:
separate data stays separate, and a shared per-provider rate limit holds across clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.base import CallLedger
from sandbox.graph import start_graph
from sandbox.service import RunningService
from sandbox.slack import start_slack
from scanner.multiscan import run_targets_file
from scanner.ratelimit import LimitedLedger, RateLimiter
from scanner.targets import load_targets

Write = Callable[..., Path]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, RunningService]]:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    started = {
        "acme-m365": start_graph(),
        "acme-slack": start_slack("slack_demo"),
        "beta-slack": start_slack("slack_grid"),
    }
    yield started
    for service in started.values():
        service.stop()


def block(service: RunningService, client: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The service's settings with each env reference renamed per client, as an MSP would."""
    settings = dict(service.settings)
    for key, value in service.settings.items():
        if isinstance(value, str) and value.startswith("env:"):
            name = f"{client.upper()}_{value[4:]}"
            monkeypatch.setenv(name, service.env[value[4:]])
            settings[key] = f"env:{name}"
    if service.provider == "slack":
        settings["max_retries"] = 1
    return settings


def test_each_client_sees_only_its_own_tenant_and_workspace(
    services: dict[str, RunningService],
    write_tenants: Write,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = [
        {
            "name": "acme",
            "m365": block(services["acme-m365"], "acme", monkeypatch),
            "slack": block(services["acme-slack"], "acme", monkeypatch),
        },
        {"name": "beta", "slack": block(services["beta-slack"], "beta", monkeypatch)},
    ]
    rate = 40.0
    path = write_tenants(
        yaml.safe_dump(
            {"reports": {"dir": "out"}, "rate_limits": {"slack": rate}, "clients": clients}
        )
    )
    waits: list[float] = []
    limiters: list[RateLimiter] = []

    def limiter(per_second: float) -> RateLimiter:
        """A stopped clock: each call's wait is exactly its slot in the shared budget."""
        limiters.append(RateLimiter(per_second, clock=lambda: 0.0, sleep=waits.append))
        return limiters[-1]

    result = run_targets_file(load_targets(path), limiter=limiter)
    assert [c.error for c in result.clients] == [None, None]
    acme = json.loads((tmp_path / "out/acme/latest/report.json").read_text())
    beta = json.loads((tmp_path / "out/beta/latest/report.json").read_text())
    assert [t["name"] for t in acme["targets"]] == ["acme/m365", "acme/slack"]
    assert [t["name"] for t in beta["targets"]] == ["beta/slack"]
    teams = {t["name"]: json.dumps(t["identity"]) for t in acme["targets"] + beta["targets"]}
    assert "T0KNOORD1" in teams["acme/slack"] and "T0KNGRID1" not in teams["acme/slack"]
    assert "T0KNGRID1" in teams["beta/slack"] and "T0KNOORD1" not in teams["beta/slack"]
    assert "3f1c6c1e-8c2a-4b7e-9a55-0d1e2f3a4b5c" in teams["acme/m365"]
    assert {f["target"] for f in beta["findings"]} == {"beta/slack"}
    # one Slack budget for both workspaces: every call of both waited for its own slot in it
    slack_calls = sum(
        t["api_calls_total"] for t in acme["targets"] + beta["targets"] if t["provider"] == "slack"
    )
    assert slack_calls > 10 and len(limiters) == 1
    assert sorted(waits) == pytest.approx([n / rate for n in range(1, slack_calls)])


def test_the_rate_limiter_spaces_calls_across_threads() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))

    limiter = RateLimiter(4, clock=lambda: clock[0], sleep=sleep)
    ledgers = [LimitedLedger(limiter), LimitedLedger(limiter)]
    for i in range(5):
        ledgers[i % 2].count("users.list")
    assert waits == [0.25, 0.5, 0.75, 1.0]
    assert [ledger.snapshot() for ledger in ledgers] == [{"users.list": 3}, {"users.list": 2}]
    assert isinstance(ledgers[0], CallLedger)
