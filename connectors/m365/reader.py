"""Calls that turn per-endpoint failures into gaps, so one unreadable part never stops the scan.

Only two failures stop a tenant: a tenant that does not exist and credentials Graph rejects (401);
both raise :class:`AuthError`. Everything else (403, throttled past the retry budget, malformed
pages) becomes a gap and the rest of the scan completes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from kiota_abstractions.request_information import RequestInformation

from connectors.base import Recorder
from connectors.m365.discovery import Discovery, TenantInfo
from connectors.m365.graph import GraphError, GraphReader
from connectors.m365.settings import M365Settings
from core.errors import AuthError
from core.models import GapReason

T = TypeVar("T")


class TenantReader:
    """One tenant's Graph reads and tenant look-ups, each failure recorded as a gap."""

    def __init__(self, settings: M365Settings, graph: GraphReader, recorder: Recorder) -> None:
        self.settings = settings
        self.graph = graph
        self.client = graph.client
        self.recorder = recorder
        self.discovery = Discovery(graph.http, settings.login_url)
        self.tenant_id = settings.tenant_id

    async def discover_tenant(self) -> TenantInfo:
        """The scanned tenant's discovery document; a tenant that does not exist stops the scan."""
        info = await self.discovery.lookup(self.settings.tenant_id)
        if not info.found:
            raise AuthError(_tenant_not_found(self.settings, info))
        self.tenant_id = info.tenant_id or self.settings.tenant_id
        return info

    def gap(
        self, service: str, operation: str, error: GraphError, resource: str | None = None
    ) -> None:
        self.recorder.gap(
            provider="m365",
            service=service,
            operation=operation,
            reason=error.kind,
            message=str(error),
            resource=resource,
        )

    async def step(
        self,
        service: str,
        operation: str,
        work: Awaitable[T],
        resource: str | None = None,
        absent_ok: bool = False,
    ) -> T | None:
        """Run one read; a failure becomes a gap (an invalid token stops the whole target).
        ``absent_ok``: a 404 means the tenant simply has no such object (no gap)."""
        try:
            result = await work
        except GraphError as exc:
            if absent_ok and exc.kind == GapReason.NOT_FOUND:
                return None
            if exc.kind == GapReason.CREDENTIALS_REJECTED:
                raise AuthError(
                    f"m365: Graph rejected the credentials for tenant {self.tenant_id} "
                    f"(HTTP 401: expired or wrong token/secret): {exc}"
                ) from None
            self.gap(service, operation, exc, resource)
            return None
        self.recorder.read(operation)
        return result

    async def listing(
        self,
        service: str,
        operation: str,
        request: RequestInformation,
        resource: str | None = None,
    ) -> list[dict[str, Any]] | None:
        """Every item of a paged listing, or ``None`` (and a gap) if any page failed."""
        return await self.step(service, operation, self.graph.all(request), resource)

    async def lookup_all(self, tenants: list[str], service: str) -> dict[str, TenantInfo]:
        """Discovery for each tenant id or domain; a lookup that failed for another reason than
        "no such tenant" is a gap."""
        infos = await asyncio.gather(*(self.discovery.lookup(t) for t in tenants if t))
        for info in infos:
            if not info.found and not Discovery.not_a_tenant(info):
                self.recorder.gap(
                    provider="m365",
                    service=service,
                    operation="oidc.discovery",
                    reason=GapReason.MALFORMED_RESPONSE
                    if info.malformed
                    else GapReason.INTERNAL_ERROR,
                    message=info.error or f"HTTP {info.status}",
                    resource=info.query,
                )
        return {info.query: info for info in infos}


def _tenant_not_found(settings: M365Settings, info: TenantInfo) -> str:
    if Discovery.not_a_tenant(info) or info.status == 400:
        return (
            f"m365: tenant {settings.tenant_id!r} does not exist at {settings.login_url} "
            f"(check tenant_id, or login_url for national clouds): {info.error}"
        )
    return (
        f"m365: cannot read the OpenID discovery document of tenant {settings.tenant_id!r} at "
        f"{settings.login_url}: {info.error or f'HTTP {info.status}'}"
    )
