"""Cross-tenant sharing: partner tenants and guests' home tenants, located by discovery.

Entra B2B guests carry ``issuer: ExternalAzureAD`` rather than their home tenant, so the home
domain comes from ``mail`` or the UPN's ``name_domain#EXT#`` part, then discovery resolves it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from connectors.m365.discovery import Discovery, TenantInfo
from connectors.m365.graph import query
from connectors.m365.reader import TenantReader
from core.models import Flow

GUEST_SUMMARY_LIMIT = 1000
PARTNER_FIELDS = [
    "tenantId",
    "isServiceProvider",
    "isInMultiTenantOrganization",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
]


def guest_domain(user: dict[str, Any]) -> str | None:
    address = guest_address(user)
    return address.rsplit("@", 1)[1] if address else None


def guest_address(user: dict[str, Any]) -> str | None:
    """The guest's address at home: ``mail``, else the UPN's ``name_domain#EXT#`` part."""
    mail = str(user.get("mail") or "")
    if "@" in mail:
        return mail.lower()
    upn = str(user.get("userPrincipalName") or "")
    local = upn.split("#EXT#", 1)[0] if "#EXT#" in upn else ""
    if "_" not in local:
        return None
    name, domain = local.rsplit("_", 1)
    return f"{name}@{domain}".lower()


def _access(partner: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "b2bCollaborationInbound",
        "b2bCollaborationOutbound",
        "b2bDirectConnectInbound",
        "b2bDirectConnectOutbound",
    )
    return {
        k: (partner.get(k) or {}).get("usersAndGroups", {}).get("accessType")
        if partner.get(k)
        else "default"
        for k in keys
    }


def partner_flows(
    tenant_id: str, partners: list[dict[str, Any]], infos: dict[str, TenantInfo]
) -> list[Flow]:
    flows = []
    for partner in partners:
        pid = str(partner.get("tenantId") or "").lower()
        info = infos.get(pid)
        flows.append(
            Flow(
                id=f"m365:{tenant_id}:partner:{pid}",
                provider="m365",
                kind="external_sharing",
                source=f"m365:{tenant_id}:tenant",
                destination=info.location if info else None,
                destination_name=pid,
                party=pid,
                attributes={
                    "type": "cross_tenant_partner",
                    "tenant_id": pid,
                    "is_service_provider": partner.get("isServiceProvider"),
                    "is_in_multi_tenant_organization": partner.get("isInMultiTenantOrganization"),
                    "access": _access(partner),
                    "region": info.evidence() if info else None,
                    "discovery_error": info.error if info and not info.found else None,
                },
            )
        )
    return flows


def guest_flows(
    tenant_id: str, guests: list[dict[str, Any]], infos: dict[str, TenantInfo]
) -> list[Flow]:
    """One flow per guest home tenant (or per domain that is not an Entra tenant)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    homes: dict[str, TenantInfo | None] = {}
    for guest in guests:
        domain = guest_domain(guest)
        info = infos.get(domain or "")
        key = info.tenant_id if info and info.found and info.tenant_id else (domain or "unknown")
        groups[key].append({**guest, "_domain": domain})
        homes[key] = info
    flows = []
    for key, members in sorted(groups.items()):
        info = homes[key]
        domains = sorted({m["_domain"] for m in members if m["_domain"]})
        flows.append(
            Flow(
                id=f"m365:{tenant_id}:guests:{key}",
                provider="m365",
                kind="external_sharing",
                source=f"m365:{tenant_id}:tenant",
                destination=info.location if info and info.found else None,
                destination_name=", ".join(domains) or "unknown home",
                party=key,
                attributes={
                    "type": "guest_home_tenant",
                    "home_tenant_id": info.tenant_id if info and info.found else None,
                    "entra_tenant": bool(info and info.found),
                    "not_an_entra_tenant": bool(info and Discovery.not_a_tenant(info)),
                    "domains": domains,
                    "guest_count": len(members),
                    "guests": [
                        {
                            "id": m.get("id"),
                            "name": m.get("userPrincipalName"),
                            "address": guest_address(m),
                            "state": m.get("externalUserState"),
                        }
                        for m in members[:GUEST_SUMMARY_LIMIT]
                    ],
                    "region": info.evidence() if info and info.found else None,
                    "discovery_error": info.error if info and not info.found else None,
                },
            )
        )
    return flows


async def read_partners(reader: TenantReader) -> list[dict[str, Any]] | None:
    """The cross-tenant access policy's partner entries."""
    partners = reader.client.policies.cross_tenant_access_policy.partners
    return await reader.listing(
        "sharing", "crossTenantAccessPolicy.partners", query(partners, PARTNER_FIELDS)
    )


async def sharing_flows(
    reader: TenantReader, partners: list[dict[str, Any]], guests: list[dict[str, Any]]
) -> list[Flow]:
    """Partner tenants and guests' home tenants, each located by discovery."""
    partner_ids = [str(p.get("tenantId") or "").lower() for p in partners]
    domains = sorted({d for g in guests if (d := guest_domain(g))})
    infos = await reader.lookup_all(partner_ids + domains, "sharing")
    return partner_flows(reader.tenant_id, partners, infos) + guest_flows(
        reader.tenant_id, guests, infos
    )
