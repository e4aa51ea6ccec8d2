"""The HTTP layer every Graph and login request passes through, under Kiota's middleware.

It names the request's operation from the allow-list, refuses anything that is not an
allow-listed GET before a byte is sent (so retries and redirects are gated too), counts every
attempt in the call ledger, and bounds the requests in flight for the tenant.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import httpx

from connectors.base import CallLedger, ReadOnlyGate
from connectors.m365.endpoints import DISCOVERY, READ_OPERATIONS, graph_operation
from connectors.m365.settings import M365Settings


def operation_of(request: httpx.Request, settings: M365Settings) -> str:
    """The allow-listed operation name, or a description that the gate will refuse."""
    path = unquote(request.url.path)
    if request.method == "GET":
        graph_prefix = settings.graph_prefix
        if request.url.host == settings.graph_host and path.startswith(graph_prefix + "/"):
            operation = graph_operation(path[len(graph_prefix) :])
            if operation:
                return operation
        login_host = httpx.URL(settings.login_url).host
        if request.url.host == login_host and DISCOVERY.pattern.match(path):
            return DISCOVERY.operation
    return f"{request.method} {request.url.host}{path}"


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
        self.inner = inner or httpx.AsyncHTTPTransport()
        self._slots = asyncio.Semaphore(settings.max_concurrency)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = operation_of(request, self.settings)
        self.gate.check(operation)
        self.ledger.count(operation)
        async with self._slots:
            return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
