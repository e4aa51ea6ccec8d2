"""Calls that turn per-endpoint failures into gaps, so one unreadable part never stops the scan.

Only two failures stop a tenant: a tenant that does not exist and credentials Graph rejects (401);
both raise :class:`AuthError`. Everything else (403, throttled past the retry budget, malformed
pages) becomes a gap and the rest of the scan completes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, cast

from kiota_abstractions.request_information import RequestInformation

from connectors.base import GapRecorder, Recorder
from connectors.m365.discovery import Discovery, TenantInfo
from connectors.m365.graph import GraphError, GraphReader
from connectors.m365.settings import M365Settings
from core.errors import AuthError
from core.models import GapReason

T = TypeVar("T")


class TenantReader(GapRecorder):
    """One tenant's Graph reads and tenant look-ups, each failure recorded as a gap."""

    provider = "m365"
    errors = (GraphError,)

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

    def classify(
        self, operation: str, error: Exception, region: str | None = None
    ) -> tuple[GapReason, str]:
        return cast(GraphError, error).kind, str(error)  # GraphError: the only one in errors

    def stop(self, error: Exception) -> None:
        """An invalid token stops the whole target."""
        if isinstance(error, GraphError) and error.kind == GapReason.CREDENTIALS_REJECTED:
            raise AuthError(
                f"m365: Graph rejected the credentials for tenant {self.tenant_id} "
                f"(HTTP 401: expired or wrong token/secret): {error}"
            ) from None

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
        answer, _ = await self.attempt_async(
            service, operation, work, resource=resource, absent=_not_found if absent_ok else None
        )
        return answer

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
                self.record(
                    service,
                    "oidc.discovery",
                    GapReason.MALFORMED_RESPONSE if info.malformed else GapReason.INTERNAL_ERROR,
                    info.error or f"HTTP {info.status}",
                    resource=info.query,
                )
        return {info.query: info for info in infos}


def _not_found(error: Exception) -> bool:
    return isinstance(error, GraphError) and error.kind == GapReason.NOT_FOUND


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
