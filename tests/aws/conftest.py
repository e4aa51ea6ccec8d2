"""AWS test harness: the session's moto server plus one stub server per module (reset per test).

Everything the connector sends is real HTTP on 127.0.0.1: moto for what it implements, the
stub (selected by ``AWS_ENDPOINT_URL_<SERVICE>``) for what it lacks. Faults are planted on the
stub server, never by patching the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from checks.engine import evaluate
from connectors.aws.connector import AwsConnector
from connectors.base import Target
from core.knowledge import default_kb
from core.models import Collection, Finding
from core.policy import Policy
from sandbox.aws import ACCOUNT_ID, seed
from sandbox.aws_stub import Fault, StubData, StubServer, stub_environment

TWO_REGIONS = ["eu-west-1", "us-east-1"]


@pytest.fixture(scope="module")
def stub_server(moto_url: str) -> Iterator[StubServer]:
    server = StubServer(StubData(ACCOUNT_ID, moto_url, {})).start()
    yield server
    server.stop()


@dataclass
class AwsSandbox:
    moto: str
    stub: StubServer
    dataset: dict[str, Any] = field(default_factory=dict)

    def seed(self, dataset: dict[str, Any]) -> None:
        """Seed moto and serve the stub's part of ``dataset``."""
        self.dataset = dataset
        seed(self.moto, dataset)
        self.stub.reset(StubData(ACCOUNT_ID, self.moto, dataset))

    def fault(self, service: str, code: str, **kwargs: Any) -> None:
        self.stub.add_fault(Fault(service, code, **kwargs))

    def collect(self, through_stub: bool = False, **settings: Any) -> Collection:
        """Scan with the real connector; ``through_stub`` sends every service via the stub.
        A setting given as None is left out (``regions=None``: every enabled region)."""
        base: dict[str, Any] = {
            "endpoint_url": self.stub.url if through_stub else self.moto,
            "max_attempts": 1,
            "region": "eu-west-1",
            "regions": TWO_REGIONS,
            "workers": 4,
        }
        given = {k: v for k, v in {**base, **settings}.items() if v is not None}
        return AwsConnector(Target("aws-test", "aws", given)).collect()


@pytest.fixture
def aws(moto: str, stub_server: StubServer, monkeypatch: pytest.MonkeyPatch) -> AwsSandbox:
    stub_server.reset(StubData(ACCOUNT_ID, moto, {}))
    for key, value in stub_environment(stub_server.url).items():
        monkeypatch.setenv(key, value)
    return AwsSandbox(moto, stub_server)


def findings(collection: Collection, policy: Policy | None = None) -> list[Finding]:
    return evaluate(collection, policy or Policy(), default_kb(), date(2026, 11, 28))


def by_check(
    collection: Collection, check: str, policy: Policy | None = None
) -> dict[str, Finding]:
    return {f.resource_name: f for f in findings(collection, policy) if f.check_id == check}
