"""Apps with access to the tenant's data: who owns them and which permissions they hold.

Permission names come from the live ``appRoles``/``oauth2PermissionScopes`` of the resource
service principals (Graph, Exchange, SharePoint): public hard-coded GUID tables disagree.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from connectors.m365.discovery import TenantInfo
from connectors.m365.graph import query
from connectors.m365.reader import TenantReader
from core.models import Asset, Flow

RESOURCE_APPS = {
    "00000003-0000-0000-c000-000000000000": "Microsoft Graph",
    "00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
    "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
}
SP_FIELDS = [
    "id",
    "appId",
    "displayName",
    "appOwnerOrganizationId",
    "servicePrincipalType",
    "verifiedPublisher",
    "accountEnabled",
    "signInAudience",
    "tags",
]
RESOURCE_FIELDS = ["id", "appId", "displayName", "appRoles", "oauth2PermissionScopes"]
DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000"
GRANT_FIELDS = ["id", "clientId", "consentType", "principalId", "resourceId", "scope"]
ASSIGNMENT_FIELDS = [
    "id",
    "appRoleId",
    "principalId",
    "principalType",
    "resourceId",
    "resourceDisplayName",
]
PAGE_SIZE = 999


def classify(sp: dict[str, Any], tenant_id: str, microsoft: tuple[str, ...]) -> str:
    """microsoft | own | managed_identity | third_party | unknown (legacy SPs have no owner)."""
    if sp.get("servicePrincipalType") == "ManagedIdentity":
        return "managed_identity"
    owner = str(sp.get("appOwnerOrganizationId") or "").lower()
    if not owner:
        return "unknown"
    if owner in microsoft:
        return "microsoft"
    return "own" if owner == tenant_id.lower() else "third_party"


@dataclass
class Grants:
    """Permissions per client service principal id, named from the resources' definitions."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # SP id -> resource SP
    by_client: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add_resource(self, resource: dict[str, Any]) -> None:
        self.resources[resource["id"]] = resource

    def add_app_roles(self, resource_id: str, assignments: list[dict[str, Any]]) -> None:
        resource = self.resources.get(resource_id, {})
        roles = {r.get("id"): r.get("value") for r in resource.get("appRoles") or []}
        for a in assignments:
            role_id = a.get("appRoleId")
            if a.get("principalType") != "ServicePrincipal" or role_id == DEFAULT_ACCESS_ROLE:
                continue
            name = roles.get(role_id)
            self.by_client[a.get("principalId", "")].append(
                {
                    "resource": resource.get("displayName") or a.get("resourceDisplayName"),
                    "permission": name or f"unknown app role {role_id}",
                    "type": "application",
                    "named_from_live_definition": name is not None,
                }
            )

    def add_delegated(self, grants: list[dict[str, Any]], names: dict[str, str]) -> None:
        """Delegated grants; ``Principal`` consents are folded into one entry per scope."""
        seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for grant in grants:
            resource = self.resources.get(grant.get("resourceId", ""))
            known = {s.get("value") for s in (resource or {}).get("oauth2PermissionScopes") or []}
            for scope in str(grant.get("scope") or "").split():
                consent = grant.get("consentType") or "unknown"
                key = (grant.get("clientId", ""), grant.get("resourceId", ""), scope, consent)
                if key not in seen:
                    seen[key] = {
                        "resource": names.get(grant.get("resourceId", ""), grant.get("resourceId")),
                        "permission": scope,
                        "type": "delegated",
                        "consent": "all users" if consent == "AllPrincipals" else "some users",
                        "consenting_users": 0,
                        "named_from_live_definition": scope in known if resource else None,
                    }
                    self.by_client[key[0]].append(seen[key])
                if consent == "Principal":
                    seen[key]["consenting_users"] += 1


def app_evidence(
    tenant_id: str,
    sps: list[dict[str, Any]],
    grants: Grants,
    publishers: dict[str, TenantInfo],
    microsoft: tuple[str, ...],
) -> tuple[list[Asset], list[Flow]]:
    """An asset per non-Microsoft app holding permissions; an ``app_access`` flow for each one
    another organisation publishes (its data leaves the tenant to that party)."""
    assets: list[Asset] = []
    flows: list[Flow] = []
    tenant_asset = f"m365:{tenant_id}:tenant"
    for sp in sps:
        permissions = grants.by_client.get(sp.get("id", ""), [])
        classification = classify(sp, tenant_id, microsoft)
        if not permissions or classification == "microsoft":
            continue
        owner = str(sp.get("appOwnerOrganizationId") or "").lower() or None
        publisher_info = publishers.get(owner or "")
        verified = sp.get("verifiedPublisher") or {}
        publisher = verified.get("displayName") or (
            f"unverified publisher (tenant {owner})" if owner else "unknown publisher"
        )
        app_id = sp.get("appId") or sp.get("id")
        asset = Asset(
            id=f"m365:{tenant_id}:app:{app_id}",
            provider="m365",
            kind="app",
            name=sp.get("displayName") or app_id,
            location=None,
            attributes={
                "app_id": app_id,
                "service_principal_id": sp.get("id"),
                "classification": classification,
                "owner_tenant_id": owner,
                "publisher": publisher,
                "verified_publisher": bool(verified.get("verifiedPublisherId")),
                "verified_publisher_id": verified.get("verifiedPublisherId"),
                "publisher_region": publisher_info.evidence() if publisher_info else None,
                "publisher_location": publisher_info.location if publisher_info else None,
                "account_enabled": sp.get("accountEnabled"),
                "sign_in_audience": sp.get("signInAudience"),
                "permissions": permissions,
            },
        )
        assets.append(asset)
        if classification in ("third_party", "unknown"):
            flows.append(
                Flow(
                    id=f"m365:{tenant_id}:app_access:{app_id}",
                    provider="m365",
                    kind="app_access",
                    source=tenant_asset,
                    destination=publisher_info.location if publisher_info else None,
                    destination_name=publisher,
                    party=asset.name,
                    attributes={
                        "app_asset": asset.id,
                        "app_id": app_id,
                        "owner_tenant_id": owner,
                        "permissions": sorted({p["permission"] for p in permissions}),
                        "destination_basis": "the publisher tenant's directory region (OpenID "
                        "discovery), not necessarily where the vendor stores data",
                    },
                )
            )
    return assets, flows


async def read_apps(reader: TenantReader) -> tuple[list[Asset], list[Flow]]:
    """Service principals, the permissions granted to them (application roles on the resource
    APIs and delegated grants) and their publishers' tenants -> app assets and flows."""
    client = reader.client
    microsoft = reader.settings.microsoft_tenant_ids
    grants = Grants()
    sps, resources, delegated = await asyncio.gather(
        reader.listing(
            "apps",
            "servicePrincipals.list",
            query(client.service_principals, SP_FIELDS, top=PAGE_SIZE),
        ),
        asyncio.gather(*(_read_resource(reader, app_id) for app_id in RESOURCE_APPS)),
        reader.listing(
            "apps",
            "oauth2PermissionGrants.list",
            query(client.oauth2_permission_grants, GRANT_FIELDS, top=PAGE_SIZE),
        ),
    )
    found = [r for r in resources if r]
    for resource in found:
        grants.add_resource(resource)
    assigned = await asyncio.gather(
        *(
            reader.listing(
                "apps",
                "servicePrincipals.appRoleAssignedTo",
                query(
                    client.service_principals.by_service_principal_id(r["id"]).app_role_assigned_to,
                    ASSIGNMENT_FIELDS,
                    top=PAGE_SIZE,
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
            if classify(sp, reader.tenant_id, microsoft) == "third_party"
            and grants.by_client.get(sp.get("id", ""))
        }
    )
    publishers = await reader.lookup_all(owners, "apps")
    return app_evidence(reader.tenant_id, sps or [], grants, publishers, microsoft)


async def _read_resource(reader: TenantReader, app_id: str) -> dict[str, Any] | None:
    """A resource API's service principal; absent (404) when the tenant lacks the service."""
    request = query(reader.client.service_principals_with_app_id(app_id), RESOURCE_FIELDS)
    return await reader.step(
        "apps",
        "servicePrincipals.byAppId",
        reader.graph.get(request),
        resource=RESOURCE_APPS[app_id],
        absent_ok=True,
    )
