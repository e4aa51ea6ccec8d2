"""Microsoft 365: tenant geography, Multi-Geo, third-party apps and cross-tenant sharing.

One GraphServiceClient per tenant, read-only and counted. Per-endpoint failures (403, throttled
past the retry budget, malformed pages) become gaps and the rest of the scan completes; a tenant
that does not exist or credentials that do not work stop the target with an AuthError.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable
from typing import Any, TypeVar

from connectors.base import Connector, Recorder
from connectors.m365.apps import (
    RESOURCE_APPS,
    RESOURCE_FIELDS,
    SP_FIELDS,
    Grants,
    app_evidence,
    classify,
)
from connectors.m365.auth import build_credential, token_claims
from connectors.m365.discovery import Discovery, TenantInfo
from connectors.m365.endpoints import least_permissions
from connectors.m365.geo import GeoAggregate
from connectors.m365.graph import GraphError, GraphReader, query
from connectors.m365.security import (
    PROBE_FIELDS,
    SKU_FIELDS,
    Probe,
    probe_failed,
    probe_read,
    security_assets,
)
from connectors.m365.settings import M365Settings
from connectors.m365.sharing import guest_domain, guest_flows, partner_flows
from connectors.m365.tenant import default_geo, multi_geo_enabled, tenant_asset
from core.errors import AuthError
from core.models import Collection, GapReason

T = TypeVar("T")
TOP = 999
ORG_FIELDS = [
    "id",
    "displayName",
    "countryLetterCode",
    "defaultUsageLocation",
    "createdDateTime",
    "tenantType",
    "verifiedDomains",
    "partnerTenantType",
    "onPremisesSyncEnabled",
    "isMultipleDataLocationsForServicesEnabled",
]
USER_FIELDS = [
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "userType",
    "preferredDataLocation",
    "externalUserState",
]
SITE_FIELDS = ["id", "webUrl", "displayName", "isPersonalSite", "siteCollection"]


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
        reader = GraphReader(settings, credential, self.ledger)
        try:
            scan = _TenantScan(settings, reader, Recorder(collection), self.progress)
            await scan.run(credential)
        finally:
            await reader.aclose()
            await credential.close()
        return self.finish(collection)


class _TenantScan:
    """The steps of one tenant's scan; independent steps run concurrently."""

    def __init__(
        self, settings: M365Settings, reader: GraphReader, recorder: Recorder, progress: Any
    ) -> None:
        self.s = settings
        self.reader = reader
        self.client = reader.client
        self.rec = recorder
        self.progress = progress
        self.discovery = Discovery(reader.http, settings.login_url)
        self.collection = recorder.collection
        self.tenant_id = settings.tenant_id

    async def run(self, credential: Any) -> None:
        self.progress("m365: tenant discovery")
        info = await self.discovery.lookup(self.s.tenant_id)
        if not info.found:
            raise AuthError(_tenant_not_found(self.s, info))
        self.tenant_id = info.tenant_id or self.s.tenant_id
        claims = await token_claims(credential, self.s)
        self.collection.identity = {
            "processor": "microsoft",
            "tenant_id": self.tenant_id,
            "auth": self.s.auth,
            "graph_url": self.s.graph_url,
        }
        self.progress("m365: organization and geos")
        org_list, root_sites = await asyncio.gather(
            self._step(
                "tenant",
                "organization.list",
                self.reader.all(query(self.client.organization, ORG_FIELDS)),
            ),
            self._step(
                "sharepoint",
                "sites.list",
                self.reader.all(
                    query(self.client.sites, SITE_FIELDS, filter="siteCollection/root ne null")
                ),
            ),
        )
        org = org_list[0] if org_list else None
        self.collection.assets.append(tenant_asset(self.tenant_id, info, claims, org, root_sites))
        code, _ = default_geo(root_sites or [], org, info)
        geo = GeoAggregate(self.tenant_id, code)
        multi_geo = multi_geo_enabled(org, root_sites or [])
        self.progress("m365: users, groups, sites, apps, partners, logs")
        guests, _, _, partners, _ = await asyncio.gather(
            self._users(geo, multi_geo),
            self._multi_geo(geo, multi_geo),
            self._apps(),
            self._step(
                "sharing",
                "crossTenantAccessPolicy.partners",
                self.reader.all(
                    query(
                        self.client.policies.cross_tenant_access_policy.partners,
                        [
                            "tenantId",
                            "isServiceProvider",
                            "isInMultiTenantOrganization",
                            "b2bCollaborationInbound",
                            "b2bCollaborationOutbound",
                            "b2bDirectConnectInbound",
                            "b2bDirectConnectOutbound",
                        ],
                    )
                ),
            ),
            self._security(),
        )
        self.collection.assets.extend(geo.assets())
        self.progress("m365: partner and guest tenants")
        partner_ids = [str(p.get("tenantId") or "").lower() for p in partners or []]
        domains = sorted({d for g in guests or [] if (d := guest_domain(g))})
        infos = await self._lookup_all(partner_ids + domains, "sharing")
        self.collection.flows.extend(partner_flows(self.tenant_id, partners or [], infos))
        self.collection.flows.extend(guest_flows(self.tenant_id, guests or [], infos))

    async def _step(
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
            self.rec.gap(
                provider="m365",
                service=service,
                operation=operation,
                reason=exc.kind,
                message=str(exc),
                resource=resource,
            )
            return None
        self.rec.read(operation)
        return result

    async def _users(self, geo: GeoAggregate, multi_geo: bool) -> list[dict[str, Any]] | None:
        """Stream users into the geo aggregate; return only the guests."""

        async def read() -> list[dict[str, Any]]:
            guests: list[dict[str, Any]] = []
            members: list[tuple[str, str, str, str | None]] = []
            request = query(self.client.users, USER_FIELDS, top=TOP)
            async for page in self.reader.pages(request):
                for user in page:
                    if user.get("userType") == "Guest":
                        guests.append(user)
                        continue
                    code = user.get("preferredDataLocation") if multi_geo else None
                    name = user.get("userPrincipalName") or user.get("displayName") or ""
                    members.append(("user_data", str(user.get("id")), name, code))
            add_all(geo, members)  # only a complete listing is counted, never a partial one
            return guests

        return await self._step("directory", "users.list", read())

    async def _multi_geo(self, geo: GeoAggregate, multi_geo: bool) -> None:
        """Groups' and sites' geos: only Multi-Geo tenants can place them outside the default."""
        if not multi_geo:
            return

        async def groups() -> None:
            request = query(
                self.client.groups,
                ["id", "displayName", "preferredDataLocation"],
                top=TOP,
                filter="groupTypes/any(c:c eq 'Unified')",
            )
            add_all(
                geo,
                [
                    (
                        "group_data",
                        str(group.get("id")),
                        group.get("displayName") or "",
                        group.get("preferredDataLocation"),
                    )
                    async for page in self.reader.pages(request)
                    for group in page
                ],
            )

        async def sites() -> None:
            request = query(self.client.sites.get_all_sites, SITE_FIELDS, top=TOP)
            add_all(
                geo,
                [
                    (
                        "site_data",
                        str(site.get("id")),
                        site.get("webUrl") or "",
                        (site.get("siteCollection") or {}).get("dataLocationCode"),
                    )
                    async for page in self.reader.pages(request)
                    for site in page
                ],
            )

        await asyncio.gather(
            self._step("multi-geo", "groups.list", groups()),
            self._step("multi-geo", "sites.getAllSites", sites()),
        )

    async def _apps(self) -> None:
        grants = Grants()
        sps, resources, delegated = await asyncio.gather(
            self._step(
                "apps",
                "servicePrincipals.list",
                self.reader.all(query(self.client.service_principals, SP_FIELDS, top=TOP)),
            ),
            asyncio.gather(*(self._resource(app_id) for app_id in RESOURCE_APPS)),
            self._step(
                "apps",
                "oauth2PermissionGrants.list",
                self.reader.all(
                    query(
                        self.client.oauth2_permission_grants,
                        ["id", "clientId", "consentType", "principalId", "resourceId", "scope"],
                        top=TOP,
                    )
                ),
            ),
        )
        found = [r for r in resources if r]
        for resource in found:
            grants.add_resource(resource)
        assigned = await asyncio.gather(
            *(
                self._step(
                    "apps",
                    "servicePrincipals.appRoleAssignedTo",
                    self.reader.all(
                        query(
                            self.client.service_principals.by_service_principal_id(
                                r["id"]
                            ).app_role_assigned_to,
                            [
                                "id",
                                "appRoleId",
                                "principalId",
                                "principalType",
                                "resourceId",
                                "resourceDisplayName",
                            ],
                            top=TOP,
                        )
                    ),
                    resource=r.get("displayName"),
                )
                for r in found
            )
        )
        for resource, assignments in zip(found, assigned, strict=True):
            grants.add_app_roles(resource["id"], assignments or [])
        names = {sp["id"]: sp.get("displayName", "") for sp in sps or [] if sp.get("id")}
        grants.add_delegated(delegated or [], names)
        owners = sorted(
            {
                str(sp["appOwnerOrganizationId"]).lower()
                for sp in sps or []
                if classify(sp, self.tenant_id, self.s.microsoft_tenant_ids) == "third_party"
                and grants.by_client.get(sp.get("id", ""))
            }
        )
        publishers = await self._lookup_all(owners, "apps")
        assets, flows = app_evidence(
            self.tenant_id, sps or [], grants, publishers, self.s.microsoft_tenant_ids
        )
        self.collection.assets.extend(assets)
        self.collection.flows.extend(flows)

    async def _security(self) -> None:
        """Audit-log availability and licence signals (connectors/m365/security.py)."""
        sign_ins, audits, skus = await asyncio.gather(
            self._probe("auditLogs.signIns", self.client.audit_logs.sign_ins),
            self._probe("auditLogs.directoryAudits", self.client.audit_logs.directory_audits),
            self._step(
                "licences",
                "subscribedSkus.list",
                self.reader.all(query(self.client.subscribed_skus, SKU_FIELDS)),
            ),
        )
        self.collection.assets.extend(security_assets(self.tenant_id, sign_ins, audits, skus))

    async def _probe(self, operation: str, builder: Any) -> Probe:
        """One ``$top=1`` read: a missing licence is evidence, anything else unknown is a gap."""
        try:
            body = await self.reader.get(query(builder, PROBE_FIELDS[operation], top=1))
        except GraphError as exc:
            probe = probe_failed(operation, exc.kind, exc.code, str(exc))
            if probe.needs_gap:
                self.rec.gap(
                    provider="m365",
                    service="audit_logs",
                    operation=operation,
                    reason=exc.kind,
                    message=str(exc),
                )
            return probe
        self.rec.read(operation)
        return probe_read(operation, body)

    async def _resource(self, app_id: str) -> dict[str, Any] | None:
        """A resource API's service principal; absent (404) when the tenant lacks the service."""
        request = query(self.client.service_principals_with_app_id(app_id), RESOURCE_FIELDS)
        return await self._step(
            "apps",
            "servicePrincipals.byAppId",
            self.reader.get(request),
            resource=RESOURCE_APPS[app_id],
            absent_ok=True,
        )

    async def _lookup_all(self, tenants: list[str], service: str) -> dict[str, TenantInfo]:
        infos = await asyncio.gather(*(self.discovery.lookup(t) for t in tenants if t))
        for info in infos:
            if not info.found and not Discovery.not_a_tenant(info):
                self.rec.gap(
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


def add_all(geo: GeoAggregate, members: list[tuple[str, str, str, str | None]]) -> None:
    """Count a whole listing at once, after its last page: a failed listing adds nothing."""
    for kind, member_id, name, code in members:
        geo.add(kind, member_id, name, code)
