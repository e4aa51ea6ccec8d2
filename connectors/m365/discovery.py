"""OpenID discovery: a tenant's region from its public, unauthenticated metadata document.

Works for any tenant GUID or verified domain, so it locates the customer's tenant, partner
tenants, guests' home tenants and app publishers alike. Answers are cached per scan (Microsoft
allows 24 h) and concurrent lookups of the same tenant share one request.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from core.errors import ReadOnlyViolation
from core.secrets import redact

# A GUID or a DNS name (IDNs arrive as Unicode from Graph, hence \w): never "/", "?", "#" or "%".
TENANT_NAME = re.compile(r"[\w-]{1,63}(\.[\w-]{1,63}){0,126}")
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# Entra's tenant_region_scope -> a namespaced place. Only documented values: EU is Entra's EMEA
# geography (Europe, the Middle East and Africa), not the Microsoft 365 EUR data location, so it
# resolves to a region with an unknown country; NA and the US Government scopes are the US.
REGION_SCOPE_PLACE = {"EU": "entra:EU", "NA": "m365:NAM", "USG": "m365:NAM", "USGOV": "m365:NAM"}


@dataclass(frozen=True)
class TenantInfo:
    """What discovery said about one tenant; ``found`` is False for AADSTS90002 (no tenant)."""

    query: str
    found: bool
    tenant_id: str | None = None
    region_scope: str | None = None
    region_sub_scope: str | None = None
    cloud_instance: str | None = None
    status: int | None = None
    error: str | None = None
    malformed: bool = False  # the name itself could not be looked up (not a domain, refused)

    @property
    def location(self) -> str | None:
        """The namespaced place of the tenant's region scope, None for undocumented scopes."""
        return REGION_SCOPE_PLACE.get((self.region_scope or "").upper())

    def evidence(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "tenant_region_scope": self.region_scope,
            "tenant_region_sub_scope": self.region_sub_scope,
            "cloud_instance_name": self.cloud_instance,
        }


class Discovery:
    """Looks tenants up at ``{login_url}/{tenant}/v2.0/.well-known/openid-configuration``."""

    def __init__(self, http: httpx.AsyncClient, login_url: str) -> None:
        self.http = http
        self.login_url = login_url.rstrip("/")
        self._cache: dict[str, asyncio.Task[TenantInfo]] = {}

    async def lookup(self, tenant: str) -> TenantInfo:
        key = tenant.strip().lower()
        if key not in self._cache:
            self._cache[key] = asyncio.ensure_future(self._fetch(key))
        return await self._cache[key]

    async def _fetch(self, tenant: str) -> TenantInfo:
        if not TENANT_NAME.fullmatch(tenant):  # a guest's mail domain is cloud-controlled text
            return TenantInfo(
                tenant, False, error="not a tenant GUID or domain name", malformed=True
            )
        url = f"{self.login_url}/{quote(tenant, safe='')}/v2.0/.well-known/openid-configuration"
        try:
            response = await self.http.get(url)
        except httpx.HTTPError as exc:
            return TenantInfo(tenant, False, error=redact(f"{type(exc).__name__}: {exc}"))
        except ReadOnlyViolation as exc:  # the gate refused the URL: a gap, not a lost target
            return TenantInfo(tenant, False, error=str(exc), malformed=True)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return TenantInfo(tenant, False, status=response.status_code, error="not JSON")
        if response.status_code != 200:
            detail = str(body.get("error_description") or body.get("error") or "")
            return TenantInfo(
                tenant, False, status=response.status_code, error=detail.splitlines()[0][:300]
            )
        issuer = GUID.search(str(body.get("issuer") or body.get("token_endpoint") or ""))
        return TenantInfo(
            tenant,
            True,
            tenant_id=issuer.group(0).lower() if issuer else None,
            region_scope=body.get("tenant_region_scope"),
            region_sub_scope=body.get("tenant_region_sub_scope"),
            cloud_instance=body.get("cloud_instance_name"),
            status=200,
        )

    @staticmethod
    def not_a_tenant(info: TenantInfo) -> bool:
        """AADSTS90002: the name is not an Entra tenant (consumer mail, unknown domain)."""
        return info.status == 400 and "AADSTS90002" in (info.error or "")
