"""boto3 sessions and clients: one client per (service, region), read-only gate, call counting.

The gate is a ``before-call`` hook on the session, so it sees every operation of every client
made from it and raises before a request is signed or sent.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from connectors.aws.allowlist import operations
from connectors.base import CallLedger, ReadOnlyGate

DEFAULT_MAX_ATTEMPTS = 6


class AwsClients:
    """Creates each client once and shares it between worker threads (clients are thread-safe)."""

    def __init__(self, settings: dict[str, Any], ledger: CallLedger) -> None:
        self.settings = settings
        self.ledger = ledger
        self.gate = ReadOnlyGate("aws", operations())
        self.session = boto3.Session(
            profile_name=settings.get("profile"),
            region_name=settings.get("region") or "us-east-1",
        )
        self.session.events.register("before-call.*.*", self._before_call)
        workers = int(settings.get("workers", 8))
        self.config = Config(
            retries={
                "mode": "standard",
                "max_attempts": int(settings.get("max_attempts", DEFAULT_MAX_ATTEMPTS)),
            },
            max_pool_connections=max(10, workers * 2),
            connect_timeout=int(settings.get("connect_timeout", 10)),
            read_timeout=int(settings.get("read_timeout", 30)),
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _before_call(self, model: Any, **_: Any) -> None:
        operation = f"{model.service_model.service_name}.{model.name}"
        self.gate.check(operation)
        self.ledger.count(operation)

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.session.region_name or "us-east-1"
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.settings.get("endpoint_url"),
                    config=self.config,
                )
            return self._clients[key]
