"""Microsoft 365: tenant geography, Multi-Geo, third-party apps and cross-tenant sharing.

One GraphServiceClient per tenant, read-only and counted. Per-endpoint failures (403, throttled
past the retry budget, malformed pages) become gaps and the rest of the scan completes; a tenant
that does not exist or credentials that do not work stop the target with an AuthError.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from azure.core.credentials_async import AsyncTokenCredential

from connectors.base import Connector, Recorder
from connectors.m365.apps import read_apps
from connectors.m365.auth import build_credential, token_claims
from connectors.m365.directory import read_multi_geo, read_users
from connectors.m365.endpoints import least_permissions
from connectors.m365.graph import GraphReader
from connectors.m365.reader import TenantReader
from connectors.m365.security import read_security
from connectors.m365.settings import M365Settings
from connectors.m365.sharing import read_partners, sharing_flows
from connectors.m365.tenant import read_tenant
from core.models import Collection


class M365Connector(Connector):
    provider = "m365"

    @classmethod
    def permissions(cls) -> dict[str, Any]:
        used_for = least_permissions()
        return {
            "provider": "m365",
            "kind": "Microsoft Graph application permissions (admin consent)",
            "permissions": list(used_for),
            "used_for": used_for,
            "notes": [
                "Directory.Read.All is needed only for delegated grants "
                "(/oauth2PermissionGrants); it also covers the User, GroupMember, Organization "
                "and Application reads, so granting it alone trades least privilege for one "
                "consent.",
                "None of these permissions reads mail, file or chat content.",
                "AuditLog.Read.All only proves the Entra logs exist ($top=1); sign-in logs also "
                "need an Entra ID P1/P2 licence, and a tenant without it is reported as such, "
                "not as a failed scan.",
                "Tenant regions come from unauthenticated OpenID discovery documents.",
            ],
        }

    def collect(self) -> Collection:
        settings = M365Settings.from_settings(
            self.target.settings, where=f"target {self.target.name}"
        )
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._collect(settings))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called from inside a loop
            return pool.submit(asyncio.run, self._collect(settings)).result()

    async def _collect(self, settings: M365Settings) -> Collection:
        collection = self.new_collection()
        credential = build_credential(settings, self.ledger)
        graph = GraphReader(settings, credential, self.ledger)
        try:
            await self._scan(TenantReader(settings, graph, Recorder(collection)), credential)
        finally:
            await graph.aclose()
            await credential.close()
        return self.finish(collection)

    async def _scan(self, reader: TenantReader, credential: AsyncTokenCredential) -> None:
        """One tenant's scan; independent reads run concurrently."""
        settings = reader.settings
        collection = reader.recorder.collection
        self.progress("m365: tenant discovery")
        info = await reader.discover_tenant()
        claims = await token_claims(credential, settings)
        collection.identity = {
            "processor": "microsoft",
            "tenant_id": reader.tenant_id,
            "auth": settings.auth,
            "graph_url": settings.graph_url,
        }
        self.progress("m365: organization and geos")
        tenant, geo, multi_geo = await read_tenant(reader, info, claims)
        collection.assets.append(tenant)
        self.progress("m365: users, groups, sites, apps, partners, logs")
        guests, _, (app_assets, app_flows), partners, security = await asyncio.gather(
            read_users(reader, geo, multi_geo),
            read_multi_geo(reader, geo, multi_geo),
            read_apps(reader),
            read_partners(reader),
            read_security(reader),
        )
        collection.assets.extend(app_assets + security + geo.assets())
        collection.flows.extend(app_flows)
        self.progress("m365: partner and guest tenants")
        collection.flows.extend(await sharing_flows(reader, partners or [], guests or []))
