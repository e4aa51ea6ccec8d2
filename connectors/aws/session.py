"""boto3 sessions and clients: one client per (service, region), read-only gate, call counting.

The gate is a ``before-call`` hook on the session, so it sees every operation of every client
made from it and raises before a request is signed or sent. Member accounts of an organisation
get their own :class:`AwsClients` (assumed-role credentials) sharing the gate and the ledger.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore import utils as botocore_utils
from botocore.config import Config

from connectors.aws.allowlist import operations
from connectors.base import CallLedger, ReadOnlyGate

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_WORKERS = 8


def service_endpoint_variable(service: str) -> str:
    """The ``AWS_ENDPOINT_URL_<SERVICE>`` variable botocore reads for a client name."""
    name = botocore_utils.SERVICE_NAME_ALIASES.get(service, service)
    hyphenated = botocore_utils.CLIENT_NAME_TO_HYPHENIZED_SERVICE_ID_OVERRIDES.get(name, name)
    return "AWS_ENDPOINT_URL_" + hyphenated.replace("-", "_").upper()


class AwsClients:
    """Creates each client once and shares it between worker threads (clients are thread-safe)."""

    def __init__(
        self,
        settings: dict[str, Any],
        ledger: CallLedger,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.gate = ReadOnlyGate("aws", operations())
        keys = credentials or {}
        self.session = boto3.Session(
            profile_name=None if credentials else settings.get("profile"),
            region_name=settings.get("region") or "us-east-1",
            aws_access_key_id=keys.get("AccessKeyId"),
            aws_secret_access_key=keys.get("SecretAccessKey"),
            aws_session_token=keys.get("SessionToken"),
        )
        self.session.events.register("before-call.*.*", self._before_call)
        workers = int(settings.get("workers", DEFAULT_WORKERS))
        self.config = Config(
            retries={
                "mode": "standard",
                "total_max_attempts": int(settings.get("max_attempts", DEFAULT_MAX_ATTEMPTS)),
            },
            max_pool_connections=max(10, workers),  # calls in flight: split_workers
            connect_timeout=int(settings.get("connect_timeout", 10)),
            read_timeout=int(settings.get("read_timeout", 30)),
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def home_region(self) -> str:
        return str(self.session.region_name or "us-east-1")

    def _before_call(self, model: Any, **_: Any) -> None:
        operation = f"{model.service_model.service_name}.{model.name}"
        self.gate.check(operation)
        self.ledger.count(operation)

    def _endpoint(self, service: str) -> str | None:
        """``--endpoint-url`` for every service, except one given its own endpoint variable."""
        if os.environ.get(service_endpoint_variable(service)):
            return None
        return self.settings.get("endpoint_url")

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
                if service == "s3control":
                    client.meta.events.register("before-send.s3-control", _loopback_account_host)
                self._clients[key] = client
            return self._clients[key]

    def assumed(self, credentials: dict[str, str]) -> AwsClients:
        """Clients for another account, sharing this scan's gate and call ledger."""
        return AwsClients(self.settings, self.ledger, credentials)


def _loopback_account_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the endpoint's host; on a custom endpoint
    whose host is an IP address (a local emulator) that name cannot resolve, so send the
    request to the IP and carry the AWS-style name in the Host header instead."""
    parts = urlsplit(request.url)
    account, _, rest = parts.netloc.partition(".")
    host = rest.rsplit(":", 1)[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    if account.isdigit():
        request.url = parts._replace(netloc=rest).geturl()
        request.headers["Host"] = f"{account}.s3-control.amazonaws.com"
