"""The HTTP layers every Graph and login request passes through, under the SDKs' retries.

Graph and discovery go over httpx under Kiota's middleware (``GuardedTransport``); the
credential's token requests go over azure-core's aiohttp transport (``GuardedLoginTransport``).
Both name the request's operation from the allow-list, refuse anything that is not an
allow-listed GET, or the credential's token POST (``endpoints.TOKEN``), before a byte is sent
(so retries and redirects are gated too), and count every attempt in the call ledger. A request
belongs to a configured service only if scheme, host and port all match its URL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
from typing import Any
from urllib.parse import unquote

import httpx
from azure.core.pipeline.transport import AioHttpTransport

from connectors.base import CallLedger, ReadOnlyGate
from connectors.m365.endpoints import (
    DISCOVERY,
    MANAGED_IDENTITY_TOKEN,
    READ_OPERATIONS,
    TOKEN,
    graph_operation,
)
from connectors.m365.settings import M365Settings

log = logging.getLogger("residency.m365")
TLS_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")


DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int | None]


def origin(url: str | httpx.URL) -> Origin:
    """(scheme, host, port) with the scheme's default port filled in: a request is only the
    configured service's if all three match (``http://graph...`` or another port is not)."""
    parts = httpx.URL(url)
    return parts.scheme, parts.host, parts.port or DEFAULT_PORTS.get(parts.scheme)


def operation_of(request: httpx.Request, settings: M365Settings) -> str:
    return operation_for(request.method, request.url, settings)


@functools.cache
def _tls(ca_bundle: str | None, *_environment: str | None) -> ssl.SSLContext:
    """One TLS context per process (per CA bundle and ``TLS_ENV`` values, which httpx reads):
    building one loads the CA bundle, ~25 ms of CPU per tenant otherwise. Contexts are safe to
    share."""
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return httpx.create_ssl_context()


@functools.cache
def _origin_of(url: str) -> Origin:
    """The origin of a configured URL (settings do not change during a scan)."""
    return origin(url)


def operation_for(
    method: str, url: str | httpx.URL, settings: M365Settings, identity_endpoint: str | None = None
) -> str:
    """The allow-listed operation name, or a description that the gate will refuse.
    ``identity_endpoint``: the managed-identity token endpoint of the host, if one is used."""
    parts = url if isinstance(url, httpx.URL) else httpx.URL(url)
    path = unquote(parts.path)
    where = origin(parts)
    login = _origin_of(settings.login_url)
    if method == "GET":
        graph_prefix = settings.graph_prefix
        if where == _origin_of(settings.graph_url) and path.startswith(graph_prefix + "/"):
            operation = graph_operation(path[len(graph_prefix) :])
            if operation:
                return operation
        if where == login and DISCOVERY.pattern.match(path):
            return DISCOVERY.operation
        if (
            identity_endpoint
            and where == origin(identity_endpoint)
            and path == unquote(httpx.URL(identity_endpoint).path)
        ):
            return MANAGED_IDENTITY_TOKEN
    if method == "POST" and where == login and TOKEN.pattern.match(path):
        return TOKEN.operation
    return f"{method} {parts.scheme}://{parts.netloc.decode()}{path}"


def admit(gate: ReadOnlyGate, ledger: CallLedger, operation: str) -> None:
    """Refuse (before sending) or count and log one attempt; the name only, never the URL,
    whose query can hold user data."""
    gate.check(operation)
    ledger.count(operation)
    log.debug("m365 call %s", operation)


def _late(seconds: float) -> str:
    return f"no complete answer within {seconds:g} s"


class DeadlineStream(httpx.AsyncByteStream):
    """A response body bounded by the call's deadline: httpx's read timeout restarts with every
    byte, so an endpoint that trickles one byte every few seconds would never be cut off."""

    def __init__(self, inner: Any, deadline: float, seconds: float, request: httpx.Request) -> None:
        self.inner, self.deadline, self.seconds, self.request = inner, deadline, seconds, request

    async def __aiter__(self) -> Any:
        chunks = self.inner.__aiter__()
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), self.deadline - loop.time())
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise httpx.ReadTimeout(_late(self.seconds), request=self.request) from None
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """Read-only gate, call ledger and concurrency bound in front of the real transport."""

    def __init__(
        self,
        settings: M365Settings,
        ledger: CallLedger,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.gate = ReadOnlyGate("m365", READ_OPERATIONS)
        verify = _tls(settings.ca_bundle, *map(os.environ.get, TLS_ENV))
        self.inner = inner or httpx.AsyncHTTPTransport(verify=verify)
        self._slots = asyncio.Semaphore(settings.max_concurrency)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        admit(self.gate, self.ledger, operation_of(request, self.settings))
        deadline = asyncio.get_running_loop().time() + self.settings.timeout
        async with self._slots:
            try:
                response = await asyncio.wait_for(
                    self.inner.handle_async_request(request), self.settings.timeout
                )
            except TimeoutError:
                raise httpx.ReadTimeout(_late(self.settings.timeout), request=request) from None
        stream = DeadlineStream(response.stream, deadline, self.settings.timeout, request)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class GuardedLoginTransport(AioHttpTransport):
    """azure-identity's transport: the same gate and ledger for the token requests."""

    def __init__(
        self,
        settings: M365Settings,
        ledger: CallLedger,
        identity_endpoint: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.ledger = ledger
        self.identity_endpoint = identity_endpoint
        self.gate = ReadOnlyGate("m365", READ_OPERATIONS)

    async def send(self, request: Any, **kwargs: Any) -> Any:
        operation = operation_for(
            request.method, request.url, self.settings, self.identity_endpoint
        )
        admit(self.gate, self.ledger, operation)
        return await super().send(request, **kwargs)
