"""botocore sessions and clients: one client per (service, region), read-only gate, call counting.

The gate is a ``before-call`` hook on each client the scanner makes, so it sees every operation
the scanner sends and raises before a request is signed or sent. It is not on the session: the
SDK's own credential providers (web identity, SSO, assume-role profiles) make their calls from
the same session and must reach STS and the SSO portal. Sessions and clients come from the
process's :mod:`connectors.aws.pool` (shared with scans of the same credentials); the hooks
find this scan's gate, ledger and deadline through the :class:`ScopedClient` the scan uses.
Every request is bounded in time: connect and read timeouts, a retry budget, and the target's
deadline (no request is sent after it). Member accounts of an organisation get their own
:class:`AwsClients` (assumed-role credentials) sharing the gate, the ledger and the deadline.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from botocore import utils as botocore_utils
from botocore.config import Config

from connectors.aws import pool
from connectors.aws.allowlist import operations
from connectors.aws.errors import DeadlineExceeded
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger, ReadOnlyGate

POOL_CONNECTIONS = 64  # idle connections kept per host: a client serves every concurrent scan


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
    """One scan's clients (in one account): each made once and shared between worker threads
    (clients are thread-safe), over the process's shared session and clients."""

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
        self.home_region: str = settings.region
        profile = None if credentials else settings.profile
        self._session_key, self.session = pool.session(profile, self.home_region, credentials)
        self.config = Config(
            retries={
                "mode": "standard",
                "total_max_attempts": settings.max_attempts,
            },
            max_pool_connections=max(POOL_CONNECTIONS, settings.workers),  # see POOL_CONNECTIONS
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def before_call(self, operation: str) -> None:
        self.gate.check(operation)
        self.deadline.check()
        self.ledger.count(operation)

    def before_send(self) -> None:
        """Every attempt, retries included: none starts after the deadline."""
        self.deadline.check()

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
                shared = pool.client(
                    self._session_key,
                    self.session,
                    service,
                    region,
                    self._endpoint(service),
                    self.config,
                    _attach,
                )
                self._clients[key] = pool.ScopedClient(shared, self)
            return self._clients[key]

    def assumed(self, credentials: dict[str, str]) -> AwsClients:
        """Clients for another account, sharing this scan's gate and call ledger."""
        return AwsClients(self.settings, self.ledger, credentials, self.deadline)


def _attach(client: Any) -> None:
    """The scan-independent hooks of a new client."""
    events = client.meta.events
    prefix = client.meta.service_model.endpoint_prefix
    events.register("before-send", functools.partial(_prefixed_ip_host, prefix))
    events.register("after-call-error", _name_operation)


def _name_operation(exception: Exception, event_name: str, **_: Any) -> None:
    """Name the operation on errors that do not carry it (an unparseable answer)."""
    if not getattr(exception, "operation_name", None):
        exception.operation_name = event_name.rsplit(".", 1)[-1]  # type: ignore[attr-defined]


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
