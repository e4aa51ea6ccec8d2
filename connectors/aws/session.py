"""boto3 sessions and clients: one client per (service, region), read-only gate, call counting.

The gate is a ``before-call`` hook on each client the scanner makes, so it sees every operation
the scanner sends and raises before a request is signed or sent. It is not on the session: the
SDK's own credential providers (web identity, SSO, assume-role profiles) make their calls from
the same session and must reach STS and the SSO portal. Every request is bounded in time: connect
and read timeouts, a retry budget, and the target's deadline (no request is sent after it).
Member accounts of an organisation get their own :class:`AwsClients` (assumed-role credentials)
sharing the gate, the ledger and the deadline.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore import utils as botocore_utils
from botocore.config import Config

from connectors.aws.allowlist import operations
from connectors.aws.errors import DeadlineExceeded
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger, ReadOnlyGate


class Deadline:
    """The target's ``timeout`` in seconds from construction (None: no deadline)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds if seconds else None

    def passed(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end

    def check(self) -> None:
        if self.passed():
            raise DeadlineExceeded(seconds=self.seconds)


def service_endpoint_variable(service: str) -> str:
    """The ``AWS_ENDPOINT_URL_<SERVICE>`` variable botocore reads for a client name."""
    name = botocore_utils.SERVICE_NAME_ALIASES.get(service, service)
    hyphenated = botocore_utils.CLIENT_NAME_TO_HYPHENIZED_SERVICE_ID_OVERRIDES.get(name, name)
    return "AWS_ENDPOINT_URL_" + hyphenated.replace("-", "_").upper()


class AwsClients:
    """Creates each client once and shares it between worker threads (clients are thread-safe)."""

    def __init__(
        self,
        settings: AwsSettings,
        ledger: CallLedger,
        credentials: dict[str, str] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.deadline = deadline or Deadline(settings.timeout)
        self.gate = ReadOnlyGate("aws", operations())
        keys = credentials or {}
        self.session = boto3.Session(
            profile_name=None if credentials else settings.profile,
            region_name=settings.region,
            aws_access_key_id=keys.get("AccessKeyId"),
            aws_secret_access_key=keys.get("SecretAccessKey"),
            aws_session_token=keys.get("SessionToken"),
        )
        self.config = Config(
            retries={
                "mode": "standard",
                "total_max_attempts": settings.max_attempts,
            },
            max_pool_connections=max(10, settings.workers),  # calls in flight: split_workers
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def home_region(self) -> str:
        return str(self.session.region_name or "us-east-1")

    def _before_call(self, model: Any, **_: Any) -> None:
        operation = f"{model.service_model.service_name}.{model.name}"
        self.gate.check(operation)
        self.deadline.check()
        self.ledger.count(operation)

    def _before_send(self, **_: Any) -> None:
        """Every attempt, retries included: none starts after the deadline."""
        self.deadline.check()

    @staticmethod
    def _name_operation(exception: Exception, event_name: str, **_: Any) -> None:
        """Name the operation on errors that do not carry it (an unparseable answer)."""
        if not getattr(exception, "operation_name", None):
            exception.operation_name = event_name.rsplit(".", 1)[-1]  # type: ignore[attr-defined]

    def _endpoint(self, service: str) -> str | None:
        """``--endpoint-url`` for every service, except one given its own endpoint variable."""
        if os.environ.get(service_endpoint_variable(service)):
            return None
        return self.settings.endpoint_url

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.home_region
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(
                    service,
                    region_name=region,
                    endpoint_url=self._endpoint(service),
                    config=self.config,
                )
                events = client.meta.events
                events.register("before-call", self._before_call)
                events.register("before-send", self._before_send)
                prefix = client.meta.service_model.endpoint_prefix
                events.register("before-send", functools.partial(_prefixed_ip_host, prefix))
                events.register("after-call-error", self._name_operation)
                self._clients[key] = client
            return self._clients[key]

    def assumed(self, credentials: dict[str, str]) -> AwsClients:
        """Clients for another account, sharing this scan's gate and call ledger."""
        return AwsClients(self.settings, self.ledger, credentials, self.deadline)


def _prefixed_ip_host(endpoint_prefix: str, request: Any, **_: Any) -> None:
    """Endpoint rules put a label in front of the endpoint's host (S3 Control: the account id).
    A custom endpoint given as an IP address (an emulator, a private endpoint by address) cannot
    carry one, so send the request to the address and name the service's AWS host, label
    first, in the Host header, as a name-based endpoint would receive it."""
    parts = urlsplit(request.url)
    label, _, rest = (parts.hostname or "").partition(".")
    try:
        ipaddress.ip_address(rest)
    except ValueError:
        return
    netloc = f"{rest}:{parts.port}" if parts.port else rest
    request.url = parts._replace(netloc=netloc).geturl()
    request.headers["Host"] = f"{label}.{endpoint_prefix}.amazonaws.com"
